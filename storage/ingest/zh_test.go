package ingest

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
)

var (
	zhNames  = []string{"张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄勇", "周杰", "吴霞"}
	zhCities = []string{"北京", "上海", "广州", "深圳", "成都", "杭州", "武汉", "西安", "南京", "重庆"}
)

func gbkBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// A 20-row GBK export of names and cities, a few hundred bytes.
func TestSmallGBKFile(t *testing.T) {
	var b strings.Builder
	b.WriteString("id,name,city\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "%d,%s,%s\n", i+1, zhNames[i%10], zhCities[(i*3)%10])
	}
	p := newProject(t)
	path := write(t, "gbk.csv", gbkBytes(t, b.String()))
	pv, err := PreviewFile(ctx, p, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if pv.Encoding != GB18030 || len(pv.EncodingCandidates) != 0 {
		t.Fatalf("detected %s, candidates %v", pv.Encoding, pv.EncodingCandidates)
	}
	res := mustImport(t, p, path, Options{})
	if res.Rows != 20 {
		t.Fatalf("rows %d", res.Rows)
	}
	var name, city string
	if err := p.DB().QueryRow(`SELECT name, city FROM gbk WHERE id = 1`).Scan(&name, &city); err != nil || name != "张伟" || city != "北京" {
		t.Fatalf("%q %q %v", name, city, err)
	}
}

// A 10-row GB18030 export with a Chinese header.
func TestSmallGB18030Header(t *testing.T) {
	var b strings.Builder
	b.WriteString("姓名,城市,金额\n")
	for i := 0; i < 10; i++ {
		fmt.Fprintf(&b, "%s,%s,%d.50\n", zhNames[i], zhCities[i], 100+i)
	}
	data, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	p := newProject(t)
	path := write(t, "gb.csv", data)
	res := mustImport(t, p, path, Options{})
	if res.Encoding != GB18030 || res.Rows != 10 {
		t.Fatalf("encoding %s rows %d", res.Encoding, res.Rows)
	}
	var city string
	if err := p.DB().QueryRow(`SELECT 城市 FROM gb WHERE 姓名 = '王芳'`).Scan(&city); err != nil || city != "上海" {
		t.Fatalf("%q %v", city, err)
	}
	if res.Roles["姓名"] != storage.FullName || res.Roles["金额"] != storage.Amount {
		t.Fatalf("roles %v", res.Roles)
	}
}

// Bytes that read as Chinese in GBK and as accented capitals in
// Windows-1252: the import must not guess but name the candidates.
func TestAmbiguousEncoding(t *testing.T) {
	// "ÖÄ" and "ÉÈ" in Windows-1252 are D6 C4 and C9 C8: also two GB characters.
	data := []byte("id,code\n1,X\xd6\xc4Y\n2,Z\xc9\xc8W\n")
	p := newProject(t)
	path := write(t, "amb.csv", data)
	pv, err := PreviewFile(ctx, p, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pv.EncodingCandidates) < 2 {
		t.Fatalf("candidates %+v (encoding %s)", pv.EncodingCandidates, pv.Encoding)
	}
	for _, c := range pv.EncodingCandidates {
		if len(c.Sample) == 0 {
			t.Fatalf("candidate %s has no sample", c.Encoding)
		}
	}
	_, err = Import(ctx, p, path, Options{})
	var ee *EncodingError
	if !errors.As(err, &ee) || len(ee.Candidates) < 2 || !strings.Contains(err.Error(), "gb18030") || !strings.Contains(err.Error(), "windows-1252") {
		t.Fatalf("import: %v", err)
	}
	mustImport(t, p, path, Options{Encoding: "gbk"})
}

// guessEncoding on tiny samples: one Chinese name is enough, and Western
// text with accents, symbols and curly quotes is not taken for Chinese.
func TestGuessEncodingSmall(t *testing.T) {
	gb := func(s string) []byte {
		b, err := simplifiedchinese.GB18030.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	west := func(s string) []byte {
		b, err := charmap.Windows1252.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	cases := []struct {
		data []byte
		want string
	}{
		{gb("name\n张伟\n"), GB18030},
		{gb("姓名,城市\n王芳,上海\n"), GB18030},
		{gb("id,name\n1,iPhone手机壳\n"), GB18030},
		{gb("name\n龘犇\n"), GB18030},                   // rare characters
		{gb("客户,金额\n李娜,¥12\n"), GB18030},              // ¥ is four bytes in GB18030
		{[]byte("name\n\xd5\xc5\xce\xb0\n"), GB18030}, // 张伟 in GBK: 伟 is also valid UTF-8 (CE B0)
		{west("name\nMüller\n"), Windows1252},
		{west("name\nJosé\n"), Windows1252},
		{west("temp\n20°C\n"), Windows1252},
		{west("price\n£12\n"), Windows1252},
		{west("quote\n“Hello”\n"), Windows1252},
		{west("name\nÜBER\n"), Windows1252},
		{[]byte("name\nZoë\n"), UTF8},
	}
	for _, c := range cases {
		enc, cands := guessEncoding(c.data, true)
		if enc != c.want || len(cands) != 0 {
			t.Errorf("%q: %s %+v, want %s", c.data, enc, cands, c.want)
		}
	}
}

// Big5 (Traditional Chinese) imports when the user chooses it.
func TestBig5Chosen(t *testing.T) {
	data, err := traditionalchinese.Big5.NewEncoder().Bytes([]byte("姓名,城市\n張偉,臺北\n王芳,高雄\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := newProject(t)
	path := write(t, "tw.csv", data)
	res := mustImport(t, p, path, Options{Encoding: "big5"})
	if res.Encoding != Big5 || res.Rows != 2 {
		t.Fatalf("encoding %s rows %d", res.Encoding, res.Rows)
	}
	var city string
	if err := p.DB().QueryRow(`SELECT 城市 FROM tw WHERE 姓名 = '張偉'`).Scan(&city); err != nil || city != "臺北" {
		t.Fatalf("%q %v", city, err)
	}
}

// A Big5 file is not guessed: the candidates include Big5 read correctly.
func TestBig5Offered(t *testing.T) {
	data, err := traditionalchinese.Big5.NewEncoder().Bytes([]byte("客戶,評論\n陳先生,這個產品非常好用，價格也很合理\n林小姐,送貨速度太慢了，包裝也有破損\n"))
	if err != nil {
		t.Fatal(err)
	}
	p := newProject(t)
	path := write(t, "tw.csv", data)
	pv, err := PreviewFile(ctx, p, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var sample []string
	for _, c := range pv.EncodingCandidates {
		if c.Encoding == Big5 {
			sample = c.Sample
		}
	}
	if len(sample) < 2 || sample[1] != "陳先生,這個產品非常好用，價格也很合理" {
		t.Fatalf("encoding %s, candidates %+v", pv.Encoding, pv.EncodingCandidates)
	}
}
