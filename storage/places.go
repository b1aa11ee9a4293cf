package storage

import "strings"

// Chinese place names for role detection: the province-level regions in
// full and short form, and the cities an export is likely to hold (every
// provincial capital and the large prefecture-level cities), so a column of
// 广东 or 广东省, 广州 or 广州市 is recognised by its values.

// zhProvinces pairs each region's full name with its usual short form.
var zhProvinces = [][2]string{
	{"北京市", "北京"}, {"天津市", "天津"}, {"上海市", "上海"}, {"重庆市", "重庆"},
	{"河北省", "河北"}, {"山西省", "山西"}, {"辽宁省", "辽宁"}, {"吉林省", "吉林"},
	{"黑龙江省", "黑龙江"}, {"江苏省", "江苏"}, {"浙江省", "浙江"}, {"安徽省", "安徽"},
	{"福建省", "福建"}, {"江西省", "江西"}, {"山东省", "山东"}, {"河南省", "河南"},
	{"湖北省", "湖北"}, {"湖南省", "湖南"}, {"广东省", "广东"}, {"海南省", "海南"},
	{"四川省", "四川"}, {"贵州省", "贵州"}, {"云南省", "云南"}, {"陕西省", "陕西"},
	{"甘肃省", "甘肃"}, {"青海省", "青海"}, {"台湾省", "台湾"},
	{"内蒙古自治区", "内蒙古"}, {"广西壮族自治区", "广西"}, {"西藏自治区", "西藏"},
	{"宁夏回族自治区", "宁夏"}, {"新疆维吾尔自治区", "新疆"},
	{"香港特别行政区", "香港"}, {"澳门特别行政区", "澳门"},
}

// zhCities are written without 市; lookups accept both.
var zhCities = strings.Fields(`
北京 上海 天津 重庆 香港 澳门 台北 高雄
广州 深圳 东莞 佛山 珠海 惠州 中山 汕头 江门 湛江 肇庆 茂名 揭阳 梅州 清远 韶关 潮州 阳江 河源 云浮 汕尾
苏州 南京 无锡 常州 南通 徐州 扬州 盐城 泰州 镇江 淮安 连云港 宿迁 昆山 江阴
杭州 宁波 温州 金华 绍兴 嘉兴 台州 湖州 丽水 衢州 舟山 义乌
青岛 济南 烟台 潍坊 临沂 淄博 济宁 泰安 威海 日照 德州 聊城 滨州 菏泽 枣庄 东营
郑州 洛阳 南阳 新乡 商丘 开封 许昌 平顶山 安阳 焦作 周口 信阳 驻马店
成都 绵阳 德阳 南充 宜宾 泸州 乐山 自贡 达州 眉山
武汉 宜昌 襄阳 荆州 黄冈 十堰 孝感 黄石
厦门 福州 泉州 漳州 莆田 龙岩 三明 南平 宁德
长沙 株洲 湘潭 衡阳 岳阳 常德 郴州
石家庄 唐山 保定 廊坊 邯郸 秦皇岛 沧州 邢台 张家口 承德
合肥 芜湖 蚌埠 阜阳 安庆 马鞍山 淮南
西安 咸阳 宝鸡 榆林 延安 渭南
沈阳 大连 鞍山 锦州 抚顺 丹东 营口
南昌 赣州 九江 上饶 景德镇 宜春
南宁 柳州 桂林 玉林 北海
昆明 曲靖 玉溪 大理 丽江
太原 大同 运城 长治 晋中
哈尔滨 大庆 齐齐哈尔 牡丹江 佳木斯
贵阳 遵义 六盘水
长春 吉林 四平
呼和浩特 包头 鄂尔多斯 赤峰
乌鲁木齐 克拉玛依 喀什
兰州 天水 酒泉
海口 三亚
银川 石嘴山
西宁 海东
拉萨 日喀则
`)

var (
	provinceByName = map[string]string{} // full or short name -> full name
	cityByName     = map[string]string{} // name without 市 -> name with 市
)

func init() {
	for _, p := range zhProvinces {
		provinceByName[p[0]] = p[0]
		provinceByName[p[1]] = p[0]
	}
	for _, c := range zhCities {
		cityByName[c] = c + "市"
	}
}

// ChineseProvince reports whether s names a Chinese province-level region
// (province, autonomous region, municipality or special administrative
// region) in full or short form: 广东 and 广东省, 广西 and 广西壮族自治区,
// 北京 and 北京市. The commonly seen 广西省 is accepted too. It returns the
// full name.
func ChineseProvince(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if full, ok := provinceByName[s]; ok {
		return full, true
	}
	for _, suffix := range []string{"特别行政区", "自治区", "省", "市"} {
		if short, ok := strings.CutSuffix(s, suffix); ok {
			if full, ok := provinceByName[short]; ok {
				return full, true
			}
		}
	}
	return "", false
}

// ChineseCity reports whether s names one of the major Chinese cities,
// with or without 市, and returns the name with 市.
func ChineseCity(s string) (string, bool) {
	s = strings.TrimSuffix(strings.TrimSpace(s), "市")
	full, ok := cityByName[s]
	return full, ok
}
