// Package bench holds what the storage benchmarks share: deterministic test
// data written once to a cache folder, sizes overridable from the
// environment, the pandas peer (peers.py, run with Debian's python3), and
// peak-memory measurement of a child process.
//
// Nothing here runs during 'go test ./...': the benchmarks that use it run
// only with -bench. See docs/BENCHMARKS.md.
package bench

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/marketbench/marketbench/analytics/bench/kit"
)

// genVersion is part of every cached file name; bump it when a generator
// changes so stale files are not reused.
const genVersion = 1

// cached returns the path of a cache file, calling write to make it first if
// it is not there. write gets a temporary path that is renamed into place
// only when it succeeded, so an interrupted run never leaves half a file.
func cached(name string, write func(path string) error) (string, error) {
	dir, err := CacheDir()
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp := fmt.Sprintf("%s.tmp%d", path, os.Getpid())
	if err := write(tmp); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return path, os.Rename(tmp, path)
}

// CustomersHeader is the header of CustomersCSV: 20 columns of a typical
// CRM or shop customer export.
var CustomersHeader = []string{
	"customer_id", "first_name", "last_name", "email", "phone", "street", "city", "region",
	"postal_code", "country", "gender", "birth_date", "signup_at", "last_order_date",
	"total_orders", "total_spent", "avg_order_value", "loyalty_tier", "email_opt_in", "sms_opt_in",
}

// CustomersCSV returns the path of a customer export with the given number
// of rows, making it once per size. The content depends only on rows: the
// same size is the same file byte for byte on every machine.
//
// It is meant to look like a real export: UTF-8 names with accents, emails,
// phones in several formats (some blank), postal codes with leading zeros,
// quoted cities containing commas, dates, a timestamp, integers, amounts,
// booleans, and an average order value written as " " for customers without
// orders (the kind of column DuckDB reads as text and Marketbench turns into
// numbers).
func CustomersCSV(rows int) (string, error) {
	return cached(fmt.Sprintf("customers-v%d-%d.csv", genVersion, rows), func(path string) error {
		return writeCustomers(path, rows)
	})
}

var (
	firstNames = []string{"James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth",
		"David", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "José", "María",
		"Zoë", "François", "Søren", "Anaïs", "Łukasz", "Chloé", "Jürgen", "Inês", "Wei", "Li", "Hiroshi", "Yuki", "Aisha",
		"Omar", "Priya", "Arjun", "Olga", "Ivan", "Fatima", "Mohammed", "Lucas", "Emma", "Noah", "Olivia", "Liam", "Ava",
		"Mateo", "Sofia"}
	lastNames = []string{"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
		"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Müller",
		"Schmidt", "Dubois", "Lefèvre", "Rossi", "Bianchi", "Kowalski", "Nowak", "Jensen", "Øster", "Wang", "Zhang", "Chen",
		"Tanaka", "Suzuki", "Khan", "Patel", "Singh", "Ivanov", "Petrova", "O'Brien", "Murphy", "Silva", "Santos", "Costa",
		"Nguyen", "Kim", "Park", "Yılmaz", "Kaya"}
	domains = []string{"gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "icloud.com", "proton.me", "web.de", "orange.fr",
		"example.org", "company.co.uk"}
	streets = []string{"Main St", "Oak Ave", "Maple Rd", "Park Lane", "High Street", "Church Rd", "Elm St", "Station Rd",
		"Rue de la Paix", "Hauptstraße", "Via Roma", "Calle Mayor"}
	places = []struct{ city, region, country, phone string }{
		{"New York", "NY", "United States", "+1"}, {"Los Angeles", "CA", "United States", "+1"},
		{"Chicago", "IL", "United States", "+1"}, {"Washington, D.C.", "DC", "United States", "+1"},
		{"Austin", "TX", "United States", "+1"}, {"Seattle", "WA", "United States", "+1"},
		{"Toronto", "ON", "Canada", "+1"}, {"Montréal", "QC", "Canada", "+1"},
		{"London", "England", "United Kingdom", "+44"}, {"Manchester", "England", "United Kingdom", "+44"},
		{"Edinburgh", "Scotland", "United Kingdom", "+44"}, {"Paris", "Île-de-France", "France", "+33"},
		{"Lyon", "Auvergne-Rhône-Alpes", "France", "+33"}, {"Berlin", "Berlin", "Germany", "+49"},
		{"München", "Bayern", "Germany", "+49"}, {"Madrid", "Madrid", "Spain", "+34"},
		{"Barcelona", "Catalonia", "Spain", "+34"}, {"Rome", "Lazio", "Italy", "+39"},
		{"Milan", "Lombardy", "Italy", "+39"}, {"Amsterdam", "North Holland", "Netherlands", "+31"},
		{"Kraków", "Lesser Poland", "Poland", "+48"}, {"Copenhagen", "Capital Region", "Denmark", "+45"},
		{"São Paulo", "SP", "Brazil", "+55"}, {"Mexico City", "CDMX", "Mexico", "+52"},
		{"Tokyo", "Tokyo", "Japan", "+81"}, {"Osaka", "Osaka", "Japan", "+81"},
		{"Shanghai", "Shanghai", "China", "+86"}, {"Mumbai", "Maharashtra", "India", "+91"},
		{"Sydney", "NSW", "Australia", "+61"}, {"Melbourne", "VIC", "Australia", "+61"},
	}
	tiers = []string{"Bronze", "Bronze", "Bronze", "Silver", "Silver", "Gold", "Platinum"}
)

func writeCustomers(path string, rows int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	r := rand.New(rand.NewPCG(20240501, uint64(rows)))
	for i, h := range CustomersHeader {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString(h)
	}
	w.WriteByte('\n')
	epoch := time.Date(2015, 1, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	span := int(end.Sub(epoch).Hours() / 24)
	var b []byte
	for i := 1; i <= rows; i++ {
		b = b[:0]
		fn, ln := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		pl := places[r.IntN(len(places))]
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, ',')
		b = append(b, fn...)
		b = append(b, ',')
		b = appendField(b, ln)
		b = append(b, ',')
		b = appendEmail(b, fn, ln, i, domains[r.IntN(len(domains))])
		b = append(b, ',')
		if r.IntN(20) > 0 { // 5% have no phone
			b = appendPhone(b, r, pl.phone)
		}
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(1+r.IntN(9999)), 10)
		b = append(b, ' ')
		b = append(b, streets[r.IntN(len(streets))]...)
		b = append(b, ',')
		b = appendField(b, pl.city)
		b = append(b, ',')
		b = appendField(b, pl.region)
		b = append(b, ',')
		b = fmt.Appendf(b, "%05d", r.IntN(100000))
		b = append(b, ',')
		b = append(b, pl.country...)
		b = append(b, ',')
		switch r.IntN(10) {
		case 0:
		case 1, 2, 3, 4:
			b = append(b, 'F')
		default:
			b = append(b, 'M')
		}
		b = append(b, ',')
		if r.IntN(8) > 0 { // 1 in 8 never gave a birth date
			b = time.Date(1940+r.IntN(65), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC).AppendFormat(b, time.DateOnly)
		}
		b = append(b, ',')
		signup := epoch.Add(time.Duration(r.Int64N(int64(span)*86400)) * time.Second)
		b = signup.AppendFormat(b, time.DateTime)
		b = append(b, ',')
		orders := 0
		if r.IntN(10) > 0 { // 10% signed up and never ordered
			orders = 1 + int(r.ExpFloat64()*4)
		}
		if orders > 0 {
			left := int(end.Sub(signup).Hours()/24) + 1
			b = signup.AddDate(0, 0, r.IntN(left)).AppendFormat(b, time.DateOnly)
		}
		b = append(b, ',')
		b = strconv.AppendInt(b, int64(orders), 10)
		b = append(b, ',')
		cents := 0
		for range orders {
			cents += 500 + r.IntN(25000)
		}
		b = appendCents(b, cents)
		b = append(b, ',')
		if orders > 0 {
			b = appendCents(b, cents/orders)
		} else {
			b = append(b, ' ')
		}
		b = append(b, ',')
		b = append(b, tiers[min(orders/3, len(tiers)-1)]...)
		b = append(b, ',')
		b = strconv.AppendBool(b, r.IntN(3) > 0)
		b = append(b, ',')
		b = strconv.AppendBool(b, r.IntN(4) == 0)
		b = append(b, '\n')
		if _, err := w.Write(b); err != nil {
			f.Close()
			return err
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// appendField quotes a value that holds a comma or a quote, as CSV requires.
func appendField(b []byte, s string) []byte {
	need := false
	for i := 0; i < len(s); i++ {
		if s[i] == ',' || s[i] == '"' {
			need = true
			break
		}
	}
	if !need {
		return append(b, s...)
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			b = append(b, '"')
		}
		b = append(b, s[i])
	}
	return append(b, '"')
}

func appendEmail(b []byte, first, last string, id int, domain string) []byte {
	ascii := func(b []byte, s string) []byte {
		for _, c := range s {
			switch {
			case c >= 'A' && c <= 'Z':
				b = append(b, byte(c-'A'+'a'))
			case c >= 'a' && c <= 'z':
				b = append(b, byte(c))
			case c > 127:
				b = append(b, 'x')
			}
		}
		return b
	}
	b = ascii(b, first)
	b = append(b, '.')
	b = ascii(b, last)
	b = strconv.AppendInt(b, int64(id), 10)
	b = append(b, '@')
	return append(b, domain...)
}

func appendPhone(b []byte, r *rand.Rand, prefix string) []byte {
	switch r.IntN(3) {
	case 0:
		return fmt.Appendf(b, "%s %03d-%03d-%04d", prefix, 200+r.IntN(800), r.IntN(1000), r.IntN(10000))
	case 1:
		return fmt.Appendf(b, "(%03d) %03d-%04d", 200+r.IntN(800), r.IntN(1000), r.IntN(10000))
	}
	return fmt.Appendf(b, "%s%d", prefix, 100000000+r.IntN(900000000))
}

func appendCents(b []byte, cents int) []byte {
	b = strconv.AppendInt(b, int64(cents/100), 10)
	return fmt.Appendf(b, ".%02d", cents%100)
}

// MB is bytes in megabytes (2^20), for reports.
func MB(b int64) float64 { return float64(b) / (1 << 20) }

// Median of v (0 for none). Benchmarks report medians: this machine is
// shared, and one slow run should not decide a ratio.
func Median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// Size and CacheDir are shared with the model benchmarks.
var (
	Size     = kit.Size
	CacheDir = kit.CacheDir
)
