package demodata

import (
	"strconv"
	"strings"
)

// Surnames with their approximate share of the population in per mille
// (the public security ministry's yearly name reports), so 王, 李 and 张
// are as common in the demo as in life. Format "汉字:pinyin:weight".
var zhSurnames, zhSurnameCum = weightedHan(
	"王:wang:71", "李:li:70", "张:zhang:67", "刘:liu:51", "陈:chen:46", "杨:yang:32",
	"黄:huang:25", "赵:zhao:22", "吴:wu:21", "周:zhou:20", "徐:xu:17", "孙:sun:15",
	"马:ma:13", "朱:zhu:13", "胡:hu:12", "郭:guo:12", "何:he:11", "林:lin:10",
	"高:gao:10", "罗:luo:10", "郑:zheng:9", "梁:liang:9", "谢:xie:7", "宋:song:7",
	"唐:tang:7", "许:xu:7", "韩:han:6", "冯:feng:6", "邓:deng:6", "曹:cao:6",
	"彭:peng:6", "曾:zeng:6", "肖:xiao:5", "田:tian:5", "董:dong:5", "袁:yuan:5",
	"潘:pan:5", "于:yu:5", "蒋:jiang:5", "蔡:cai:5", "余:yu:5", "杜:du:4",
	"叶:ye:4", "程:cheng:4", "苏:su:4", "魏:wei:4", "吕:lv:4", "丁:ding:4",
	"任:ren:4", "沈:shen:4", "姚:yao:4", "卢:lu:3", "姜:jiang:3", "崔:cui:3",
	"钟:zhong:3", "谭:tan:3", "陆:lu:3", "汪:wang:3", "范:fan:3", "金:jin:3",
	"石:shi:3", "廖:liao:2", "贾:jia:2", "夏:xia:2", "韦:wei:2", "付:fu:2",
	"方:fang:2", "白:bai:2", "邹:zou:2", "孟:meng:2", "熊:xiong:2", "秦:qin:2",
	"邱:qiu:2", "江:jiang:2", "尹:yin:1", "薛:xue:1", "闫:yan:1", "段:duan:1",
	"雷:lei:1", "侯:hou:1", "龙:long:1", "史:shi:1", "欧阳:ouyang:0.5",
	"司马:sima:0.1", "上官:shangguan:0.1", "诸葛:zhuge:0.1")

// Given names of one and two characters, from the older generation's
// 秀英 and 建国 to the 2010s' 子涵 and 浩宇.
var zhGiven = han("伟:wei", "芳:fang", "娜:na", "敏:min", "静:jing", "丽:li", "强:qiang",
	"磊:lei", "军:jun", "洋:yang", "勇:yong", "艳:yan", "杰:jie", "娟:juan", "涛:tao",
	"明:ming", "超:chao", "霞:xia", "平:ping", "刚:gang", "桂英:guiying", "秀英:xiuying",
	"秀兰:xiulan", "建华:jianhua", "建国:jianguo", "志强:zhiqiang", "海燕:haiyan",
	"丽娟:lijuan", "晓明:xiaoming", "文博:wenbo", "子涵:zihan", "浩然:haoran",
	"欣怡:xinyi", "宇轩:yuxuan", "梓萱:zixuan", "一诺:yinuo", "思远:siyuan",
	"雨桐:yutong", "俊杰:junjie", "佳怡:jiayi", "诗涵:shihan", "梓轩:zixuan",
	"浩宇:haoyu", "子豪:zihao", "婷婷:tingting", "雪:xue", "琳:lin", "鑫:xin",
	"斌:bin", "鹏:peng", "辉:hui", "颖:ying", "玲:ling", "倩:qian", "晨:chen",
	"博:bo", "悦:yue", "欣:xin", "宁:ning", "凯:kai", "昊:hao", "彤:tong",
	"佳琪:jiaqi", "嘉怡:jiayi", "家豪:jiahao", "晓燕:xiaoyan", "春梅:chunmei",
	"红梅:hongmei", "志明:zhiming", "国华:guohua", "雨萱:yuxuan", "明轩:mingxuan",
	"思琪:siqi", "梦瑶:mengyao", "天宇:tianyu", "晓东:xiaodong", "建军:jianjun",
	"丹:dan", "慧:hui", "亮:liang")

// weightedHan is han for "汉字:pinyin:weight" and the cumulative weights.
func weightedHan(items ...string) ([]pname, []float64) {
	names := make([]pname, len(items))
	w := make([]float64, len(items))
	for i, it := range items {
		f := strings.Split(it, ":")
		names[i] = pname{text: f[0], ascii: f[1]}
		w[i], _ = strconv.ParseFloat(f[2], 64)
	}
	return names, cumulative(w)
}

// Mainland mobile prefixes of the three carriers (and 17x virtual ones).
var zhMobilePrefixes = []string{"130", "131", "132", "133", "134", "135", "136", "137",
	"138", "139", "150", "151", "152", "153", "155", "156", "157", "158", "159", "166",
	"170", "173", "175", "176", "177", "178", "180", "181", "182", "183", "185", "186",
	"187", "188", "189", "191", "195", "198", "199"}

// chinaMobile spells an 11-digit mobile number the ways exports do: mostly
// bare, sometimes grouped 3-4-4 or with +86.
func chinaMobile(g *gen) string {
	p := g.pickOf(zhMobilePrefixes)
	n := g.digits(8)
	switch u := g.r.Float64(); {
	case u < 0.6:
		return p + n
	case u < 0.75:
		return p + " " + n[:4] + " " + n[4:]
	case u < 0.85:
		return p + "-" + n[:4] + "-" + n[4:]
	case u < 0.95:
		return "+86 " + p + n
	default:
		return "+86 " + p + " " + n[:4] + " " + n[4:]
	}
}

// province builds a region of the Chinese market. weight is its share of
// online shoppers (population and e-commerce spend), aov its order value
// multiplier: the coastal tier-1 regions buy dearer, the west cheaper.
func province(name, code string, weight, aov, appShare float64, cities ...string) country {
	return country{name: name, code: code, weight: weight, aov: aov, appShare: appShare,
		first: zhGiven, last: zhSurnames, lastCum: zhSurnameCum, cities: cities, phone: chinaMobile}
}

// The 31 mainland province-level regions; cities largest first (picked
// Zipf-like). Municipalities are their own city.
var provinces = []country{
	province("广东省", "gd", 0.120, 1.20, 0.55, "广州市", "深圳市", "东莞市", "佛山市", "珠海市", "惠州市", "中山市", "汕头市", "江门市", "湛江市"),
	province("江苏省", "js", 0.080, 1.20, 0.52, "苏州市", "南京市", "无锡市", "常州市", "南通市", "徐州市", "扬州市", "盐城市"),
	province("浙江省", "zj", 0.080, 1.25, 0.55, "杭州市", "宁波市", "温州市", "金华市", "绍兴市", "嘉兴市", "台州市", "湖州市"),
	province("山东省", "sd", 0.065, 0.95, 0.50, "青岛市", "济南市", "烟台市", "潍坊市", "临沂市", "淄博市", "济宁市"),
	province("河南省", "ha", 0.055, 0.85, 0.50, "郑州市", "洛阳市", "南阳市", "新乡市", "商丘市", "开封市"),
	province("上海市", "sh", 0.050, 1.50, 0.58, "上海市"),
	province("四川省", "sc", 0.050, 0.95, 0.52, "成都市", "绵阳市", "德阳市", "南充市", "宜宾市", "泸州市"),
	province("北京市", "bj", 0.045, 1.45, 0.58, "北京市"),
	province("湖北省", "hb", 0.040, 0.95, 0.50, "武汉市", "宜昌市", "襄阳市", "荆州市", "黄冈市"),
	province("福建省", "fj", 0.035, 1.05, 0.52, "厦门市", "福州市", "泉州市", "漳州市", "莆田市"),
	province("湖南省", "hn", 0.035, 0.90, 0.50, "长沙市", "株洲市", "湘潭市", "衡阳市", "岳阳市"),
	province("河北省", "he", 0.035, 0.85, 0.48, "石家庄市", "唐山市", "保定市", "廊坊市", "邯郸市"),
	province("安徽省", "ah", 0.030, 0.90, 0.50, "合肥市", "芜湖市", "蚌埠市", "阜阳市", "安庆市"),
	province("重庆市", "cq", 0.025, 0.95, 0.55, "重庆市"),
	province("陕西省", "sn", 0.025, 0.90, 0.50, "西安市", "咸阳市", "宝鸡市", "榆林市"),
	province("辽宁省", "ln", 0.025, 0.90, 0.46, "沈阳市", "大连市", "鞍山市", "锦州市"),
	province("江西省", "jx", 0.022, 0.85, 0.48, "南昌市", "赣州市", "九江市", "上饶市"),
	province("广西壮族自治区", "gx", 0.022, 0.80, 0.48, "南宁市", "柳州市", "桂林市", "玉林市"),
	province("云南省", "yn", 0.020, 0.85, 0.48, "昆明市", "曲靖市", "玉溪市", "大理市"),
	province("天津市", "tj", 0.018, 1.10, 0.52, "天津市"),
	province("山西省", "sx", 0.017, 0.85, 0.46, "太原市", "大同市", "运城市", "长治市"),
	province("黑龙江省", "hl", 0.015, 0.80, 0.44, "哈尔滨市", "大庆市", "齐齐哈尔市", "牡丹江市"),
	province("贵州省", "gz", 0.013, 0.80, 0.48, "贵阳市", "遵义市", "六盘水市"),
	province("吉林省", "jl", 0.012, 0.80, 0.44, "长春市", "吉林市", "四平市"),
	province("内蒙古自治区", "nm", 0.010, 0.85, 0.44, "呼和浩特市", "包头市", "鄂尔多斯市", "赤峰市"),
	province("新疆维吾尔自治区", "xj", 0.009, 0.80, 0.44, "乌鲁木齐市", "克拉玛依市", "喀什市"),
	province("甘肃省", "gs", 0.008, 0.75, 0.44, "兰州市", "天水市", "酒泉市"),
	province("海南省", "hi", 0.007, 0.95, 0.50, "海口市", "三亚市"),
	province("宁夏回族自治区", "nx", 0.004, 0.80, 0.44, "银川市", "石嘴山市"),
	province("青海省", "qh", 0.003, 0.75, 0.42, "西宁市", "海东市"),
	province("西藏自治区", "xz", 0.002, 0.80, 0.40, "拉萨市", "日喀则市"),
}

// zhCategories mirror the English categories (same weights and seasonal
// shapes; Stationery's September peak is the start of the school year in
// China too) with typical Chinese online prices in yuan.
var zhCategories = []category{
	{"家居", 1.2, 99, categories[0].monthly,
		[]string{"北欧风", "简约", "亚麻", "纯棉", "日式", "法式复古", "轻奢", "实木", "陶瓷", "ins风"},
		[]string{"抱枕套", "毛毯", "香薰蜡烛", "相框", "台灯", "挂钟", "收纳筐", "地垫", "花瓶", "浴巾套装", "被套", "窗帘"}},
	{"厨具", 1.2, 79, categories[1].monthly,
		[]string{"竹制", "不锈钢", "不粘", "铸铁", "珐琅", "玻璃", "硅胶", "家用", "加厚", "日式"},
		[]string{"砧板", "菜刀", "汤锅", "平底锅", "保鲜盒", "打蛋器", "咖啡研磨机", "电热水壶", "调料架", "烤盘", "厨具套装", "保温杯"}},
	{"园艺", 0.8, 89, categories[2].monthly,
		[]string{"镀锌", "陶土", "加厚", "防水", "环保", "省力", "太阳能", "实木"},
		[]string{"洒水壶", "花盆", "修枝剪", "园艺手套", "喂鸟器", "庭院灯", "水管卷盘", "育苗盘", "种植箱", "园艺铲", "多肉盆栽", "营养土"}},
	{"玩具", 0.9, 89, categories[3].monthly,
		[]string{"经典", "彩虹", "豪华版", "儿童", "磁力", "益智", "音乐", "迷你"},
		[]string{"积木", "拼图", "毛绒熊", "木制小火车", "桌游", "手工材料包", "遥控车", "娃娃屋", "叠叠乐", "风筝", "科学实验套装"}},
	{"文具", 0.8, 29, categories[4].monthly,
		[]string{"A5点阵", "再生纸", "皮面", "马卡龙色", "可替换芯", "牛皮纸", "高档", "便携"},
		[]string{"笔记本", "中性笔", "钢笔", "桌面收纳盒", "便利贴", "手帐本", "素描本", "荧光笔", "笔袋", "贺卡", "和纸胶带"}},
	{"美妆", 1.1, 99, categories[5].monthly,
		[]string{"维C", "乳木果", "玫瑰果油", "薰衣草", "无香", "纯植物", "补水保湿", "竹炭"},
		[]string{"精华液", "护手霜", "润唇膏", "洗发皂", "身体乳", "沐浴球", "面膜", "指甲油套装", "化妆刷套装", "香水"}},
	{"数码配件", 1.2, 99, categories[6].monthly,
		[]string{"快充", "编织", "超薄", "防摔", "磁吸", "迷你", "人体工学", "降噪"},
		[]string{"Type-C数据线", "手机壳", "无线充电器", "充电宝", "蓝牙耳机", "电脑内胆包", "蓝牙音箱", "钢化膜", "充电头", "键盘", "鼠标"}},
	{"宠物用品", 0.8, 69, categories[7].monthly,
		[]string{"反光", "记忆棉", "不锈钢", "耐咬", "保暖", "防水", "天然"},
		[]string{"牵引绳", "猫抓板", "宠物窝", "磨牙玩具", "食盆", "梳毛刷", "猫隧道", "狗狗雨衣", "零食袋"}},
	{"运动户外", 0.8, 129, categories[8].monthly,
		[]string{"保温", "轻量", "防滑", "折叠", "可调节", "防水", "登山"},
		[]string{"瑜伽垫", "运动水壶", "弹力带", "跑步腰包", "折叠椅", "防水袋", "头灯", "泡沫轴", "跳绳", "野餐垫"}},
	{"服饰配件", 0.9, 99, categories[9].monthly,
		[]string{"美利奴羊毛", "羊绒混纺", "素皮", "帆布", "百搭", "便携", "条纹", "针织"},
		[]string{"围巾", "毛线帽", "钱包", "托特包", "太阳镜", "雨伞", "皮带", "手套", "表带", "袜子套装"}},
}

var zhVariants = []string{"黑色", "白色", "灰色", "藏青色", "燕麦色", "砖红色", "姜黄色",
	"樱花粉", "小号", "大号", "两件装", "四件装"}

// Mail hosts: subdomains of the reserved example.com named like China's
// big free mail services, so addresses look familiar and reach no one.
var zhMailHosts = []string{"qq.example.com", "163.example.com", "126.example.com",
	"sina.example.com", "example.com", "example.net"}
