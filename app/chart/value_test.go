package chart

import (
	"errors"
	"math"
	"testing"
	"time"
)

func TestCohortHeatmap(t *testing.T) {
	rows := []string{"Jan", "Feb", "Mar"}
	cells := [][]float64{{1, 0.5, 0.25}, {1, 0.4}, {1}}
	p, err := CohortHeatmap("Retention", rows, cells, "Months", "Cohort", WithFormat(Percent(0)))
	if err != nil {
		t.Fatal(err)
	}
	// The colours spread over the later periods: period 0 is all 100%.
	if lo, hi, cols, _ := cohortRange("x", cells); lo != 0.25 || hi != 0.5 || cols != 3 {
		t.Fatalf("range %v–%v, %d columns", lo, hi, cols)
	}
	if img, err := PNG(p, 600, 400); err != nil || img.Bounds().Dx() != 600 {
		t.Fatalf("render: %v", err)
	}
	if _, err := CohortHeatmap("x", nil, nil, "", ""); !errors.Is(err, ErrNoData) {
		t.Fatalf("no cohorts: %v", err)
	}
	if _, err := CohortHeatmap("x", []string{"a"}, [][]float64{{math.NaN()}}, "", ""); !errors.Is(err, ErrNoData) {
		t.Fatalf("all empty: %v", err)
	}
	if _, err := CohortHeatmap("x", []string{"a"}, [][]float64{{1, math.Inf(1)}}, "", ""); err == nil {
		t.Fatal("an infinite cell: want an error")
	}
}

func TestForecastBand(t *testing.T) {
	d := func(m int) time.Time { return time.Date(2024, time.Month(m), 1, 0, 0, 0, 0, time.UTC) }
	hist := []Dated{{d(1), 10}, {d(2), 12}, {d(3), 11}}
	band := []Band{{d(4), 11, 9, 13}, {d(5), 11, 8, 14}}
	p, err := ForecastBand("Revenue", "per month", hist, band, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if img, err := PNG(p, 600, 400); err != nil || img.Bounds().Dy() != 400 {
		t.Fatalf("render: %v", err)
	}
	if _, err := ForecastBand("x", "", hist, nil, 0.95); !errors.Is(err, ErrNoData) {
		t.Fatalf("no forecast: %v", err)
	}
	band[1].Upper = math.NaN()
	if _, err := ForecastBand("x", "", hist, band, 0.95); err == nil {
		t.Fatal("a NaN bound: want an error")
	}
}
