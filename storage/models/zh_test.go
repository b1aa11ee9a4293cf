package models

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// A resident ID number column is personal data: never a default feature,
// even when a small table gives it few enough values to pass as a category.
func TestNationalIDIsNoFeature(t *testing.T) {
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	var b strings.Builder
	b.WriteString("证件,城市,spend,churn\n")
	for i := 0; i < 20; i++ {
		d17 := fmt.Sprintf("3101041985%02d%02d%03d", i%12+1, i+1, 200+i)
		sum := 0
		for j, c := range d17 {
			sum += int(c-'0') * w[j]
		}
		fmt.Fprintf(&b, "%s%c,%s,%d,%t\n", d17, "10X98765432"[sum%11], []string{"北京", "上海"}[i%2], 10*i, i%3 == 0)
	}
	p := newProject(t)
	importCSV(t, p, "zh", b.String())
	num, cat, err := Features(ctx, p, "zh", "churn", nil)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(cat, "证件") || !slices.Contains(cat, "城市") || !slices.Contains(num, "spend") {
		t.Fatalf("numeric %v categorical %v", num, cat)
	}
}

// Old 15-digit ID numbers are personal data too; the city beside them (a
// city role now) stays a feature.
func TestOldNationalIDIsNoFeature(t *testing.T) {
	var b strings.Builder
	b.WriteString("证件,城市,spend,churn\n")
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "3101048%d%02d%02d%03d,%s,%d,%t\n", i%10, i%12+1, i+1, 200+i, []string{"北京", "上海"}[i%2], 10*i, i%3 == 0)
	}
	p := newProject(t)
	importCSV(t, p, "zh", b.String())
	num, cat, err := Features(ctx, p, "zh", "churn", nil)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(cat, "证件") || slices.Contains(num, "证件") || !slices.Contains(cat, "城市") || !slices.Contains(num, "spend") {
		t.Fatalf("numeric %v categorical %v", num, cat)
	}
}
