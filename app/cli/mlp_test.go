package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

// The neural network from the command line, on the real Telco churn data:
// trained, explained per customer, and its options checked.
func TestModelTrainMLP(t *testing.T) {
	dir := t.TempDir()
	proj := filepath.Join(dir, "telco.mbproj")
	ok(t, "init", proj)
	ok(t, "-p", proj, "import", "../../testdata/real/WA_Fn-UseC_-Telco-Customer-Churn.csv", "--table", "telco")

	m := jsonOf(t, ok(t, "-p", proj, "--json", "model", "train", "--table", "telco", "--target", "Churn", "--algo", "mlp", "--balanced", "--name", "telco_mlp"))
	if auc, _ := m["auc"].(float64); auc < 0.8 {
		t.Errorf("Telco MLP test AUC %v", m["auc"])
	}
	t.Logf("Telco churn, mlp balanced: test AUC %v, accuracy %v", m["auc"], m["accuracy"])
	ev := m["evaluation"].(map[string]any)
	if imp, _ := ev["importance"].([]any); len(imp) == 0 {
		t.Error("no permutation importance")
	}
	expl := ok(t, "-p", proj, "model", "explain", "telco_mlp", "--customer", "7590-VHVEG")
	if !strings.Contains(expl, "tenure") && !strings.Contains(expl, "Contract") {
		t.Errorf("the explanation names neither tenure nor Contract:\n%s", expl)
	}

	m = jsonOf(t, ok(t, "-p", proj, "--json", "model", "train", "--table", "telco", "--target", "MonthlyCharges",
		"--features", "tenure,InternetService,StreamingTV,StreamingMovies,PhoneService", "--algo", "mlpreg", "--hidden", "32", "--epochs", "300"))
	t.Logf("Telco MonthlyCharges, mlpreg (32): test R² %v, RMSE %v", m["r2"], m["rmse"])
	if r2, _ := m["r2"].(float64); r2 < 0.9 {
		t.Errorf("MonthlyCharges R² %v (the services price the plan)", m["r2"])
	}
	if m["name"] != "monthlycharges_mlpreg" {
		t.Errorf("default name %v", m["name"])
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--hidden", "64,x"}, `"x" is not a whole number`},
		{[]string{"--hidden", "0"}, "a hidden layer needs 1 to"},
		{[]string{"--hidden", "8,8,8,8,8"}, "at most 4 hidden layers"},
		{[]string{"--epochs", "0"}, "--epochs"},
		{[]string{"--learning-rate", "5"}, "learning rate must be between 0 and 1"},
		{[]string{"--learning-rate", "-1"}, "--learning-rate"},
	} {
		args := append([]string{"-p", proj, "model", "train", "--table", "telco", "--target", "Churn", "--algo", "mlp"}, c.args...)
		_, errs, code := run(t, args...)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, %q; want an error with %q", c.args, code, errs, c.want)
		}
	}
	// Nothing half-made was kept by the refused runs.
	list := ok(t, "-p", proj, "model", "list")
	if strings.Count(list, "churn_mlp") != 0 {
		t.Errorf("a refused model was stored:\n%s", list)
	}
}
