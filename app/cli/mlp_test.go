package cli

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/marketbench/marketbench/storage"
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

	// A stored network whose layers no longer fit is refused with words,
	// and the model stays listed so it can be trained again.
	p, err := storage.Open(proj)
	if err != nil {
		t.Fatal(err)
	}
	var art []byte
	if err := p.DB().QueryRow(`SELECT artifact FROM mb_models WHERE name = 'telco_mlp'`).Scan(&art); err != nil {
		t.Fatal(err)
	}
	bad := bytes.Replace(art, []byte(`"sizes":[`), []byte(`"sizes":[7,`), 1)
	if bytes.Equal(bad, art) {
		t.Fatal("no network in the stored model")
	}
	if _, err := p.DB().Exec(`UPDATE mb_models SET artifact = ? WHERE name = 'telco_mlp'`, bad); err != nil {
		t.Fatal(err)
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	_, errs, code := run(t, "-p", proj, "model", "score", "telco_mlp")
	if code == 0 || !strings.Contains(errs, "damaged") || !strings.Contains(errs, "train it again") {
		t.Errorf("a damaged network: exit %d, %q", code, errs)
	}
	if list := ok(t, "-p", proj, "model", "list"); !strings.Contains(list, "telco_mlp") {
		t.Errorf("the damaged model vanished:\n%s", list)
	}
}

// A bad network option is refused before the churn table is built, so the
// mistake leaves nothing behind.
func TestModelTrainMLPRefusedFirst(t *testing.T) {
	proj := filepath.Join(t.TempDir(), "demo.mbproj")
	ok(t, "init", proj, "--demo")
	_, errs, code := run(t, "-p", proj, "model", "train", "--outcome", "churn", "--algo", "mlp", "--hidden", "64,0")
	if code == 0 || !strings.Contains(errs, "a hidden layer needs 1 to") {
		t.Fatalf("exit %d, %q", code, errs)
	}
	if tables := ok(t, "-p", proj, "tables"); strings.Contains(tables, "churn_training") {
		t.Errorf("the refused run built the churn table:\n%s", tables)
	}
}
