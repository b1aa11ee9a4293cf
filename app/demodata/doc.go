// Package demodata generates a deterministic, synthetic retail data set
// (customers, products, orders, reviews) as UTF-8 CSV files, so the app can
// ship demos, tutorials and tests without any real personal data.
//
// The same Options (including Seed) always produce byte-identical files.
// Email addresses use only RFC 2606 reserved domains (example.com/net/org and
// subdomains) so demo data can never reach a real mailbox; phone numbers are
// random digits in plausible national formats.
//
// # Dates
//
// AsOf is the last calendar day of data (inclusive; its time of day is
// ignored). Orders cover the two years ending on AsOf, e.g. 2024-11-01 to
// 2026-10-31 for the default. Customers may have signed up before that
// window. Every order is on or after its customer's signup day.
//
// # Planted effects
//
// Customers are assigned hidden behaviour groups in exact proportions so that
// segmentation, churn and purchase models have real signal to find. Groups
// returns the ground truth (customer_id to Group) for tests and docs.
//
//   - GroupLoyal (15%): high purchase frequency across the whole window;
//     mean order count is many times that of any other group.
//   - GroupOneTime (25%): exactly one order.
//   - GroupChurned (12%): signed up at least 16 months before AsOf, ordered
//     at least twice in the first year of the window, then stopped: their
//     last order is at least 270 days before AsOf.
//   - GroupNew (8%): signed up within the last 90 days, at least one order.
//   - GroupHighValue (3%): moderate frequency but expensive products and
//     larger quantities; mean order amount is about 3x the rest and mean
//     spend per customer exceeds even the loyal group.
//   - GroupNeverPurchased (4%): signed up, never ordered.
//   - GroupRegular (remainder, 33%): modest frequency.
//
// Effects that cut across groups (order-count effects apply to every group
// except one-time and never-purchased):
//
//   - email_consent=true customers order about 1.4x as often.
//   - Customers whose preferred channel is the app order about 1.5x as often;
//     80% of a customer's orders use their preferred channel.
//   - Country changes order value (product price mix and quantity): United
//     States highest, then Germany and Netherlands, France, United Kingdom,
//     Ireland, Spain, China lowest.
//   - Weekly seasonality: Sunday and Saturday busiest, then Monday; Wednesday
//     quietest. Time of day depends on channel (store 09-20 only, app has
//     commute/lunch/evening peaks, web evening peak).
//   - Yearly seasonality: November/December peak (Black Friday and the
//     following Monday spike, Christmas Day near zero, Boxing Day sales),
//     July/August dip, plus about 15% year-on-year growth.
//   - Category seasonality: Garden in spring/summer, Toys in Nov/Dec,
//     Stationery in September, Sports & Outdoors in January, Beauty in
//     February and December. Each customer has a favourite category that
//     gets 40% of their orders.
//   - Reviews (about one per 50 orders): ratings skew positive; about 5% of
//     products are "problem products" with much lower ratings, more reviews
//     and quality complaints; orders placed in the Nov 20 - Dec 31 peak more
//     often get delivery complaints; churned customers rate lower on average.
//
// # Locales
//
// Options.Locale chooses the language and market; the groups, sizes and
// effects above are the same in every locale, so every later step (RFM,
// segments, models, campaigns) behaves alike. English (the default) is the
// data described above. Chinese (zh-CN) is a mainland China shop:
//
//   - Customers have Chinese surnames drawn by their real frequency (王, 李,
//     张 most common) and one- or two-character given names, in last_name and
//     first_name; mainland mobile numbers (mostly 11 bare digits, some
//     grouped 3-4-4 or with +86); pinyin or QQ-number email addresses at
//     subdomains of example.com (qq.example.com, 163.example.com).
//   - A province column replaces country: the 31 mainland provinces,
//     autonomous regions and municipalities by their share of online
//     shoppers (广东省 first), each with real cities, the capital or largest
//     first. Order value varies by province instead of country: 上海市 and
//     北京市 highest, the western provinces lowest.
//   - Products and categories are Chinese (家居, 厨具, 玩具, ...) with the
//     English categories' weights and seasonality, priced in whole yuan
//     ending in 9 or 8 (¥39, ¥198).
//   - Channels are 官网, App and 门店.
//   - The holidays are China's: Singles' Day (11 November, with its eve and
//     pre-sale day), 618 and Double 12 are peaks; the Spring Festival week
//     is quiet. Delivery complaints cluster after Singles' Day and around the
//     Spring Festival.
//   - Reviews are short Chinese sentences in the style of Taobao and JD
//     reviews (物流很快, 质量太差了, 五星好评), chosen by rating like the
//     English ones.
package demodata
