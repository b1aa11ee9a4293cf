package explain_test

import (
	"fmt"

	"github.com/marketbench/marketbench/analytics/explain"
	"github.com/marketbench/marketbench/analytics/msg"
)

func ExampleReasons() {
	ex := explain.Reasons([]explain.Contribution{
		{Name: "tenure", Value: 2, Unit: "months", UnitOne: "month", Amount: 0.21},
		{Text: msg.Raw("month-to-month contract"), Amount: 0.12},
		{Name: "monthly charges", Value: 1250, Amount: -0.05},
	}, explain.ReasonOptions{Positive: msg.New("likely to churn"), Negative: msg.New("less likely")})
	fmt.Println(ex.Text)
	// Output: likely to churn: tenure 2 months (+0.21), month-to-month contract (+0.12); less likely: monthly charges 1,250 (-0.05)
}
