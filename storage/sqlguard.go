package storage

import (
	"fmt"
	"strings"

	"github.com/marketbench/marketbench/assets/i18n"
)

// readerFunctions read local files; their path arguments must be written
// out and must not be URLs.
var readerFunctions = map[string]bool{
	"read_csv": true, "read_csv_auto": true, "sniff_csv": true,
	"read_parquet": true, "parquet_scan": true, "parquet_metadata": true, "parquet_schema": true,
	"parquet_file_metadata": true, "parquet_kv_metadata": true,
	"read_json": true, "read_json_auto": true, "read_json_objects": true, "read_json_objects_auto": true,
	"read_ndjson": true, "read_ndjson_auto": true, "read_ndjson_objects": true,
	"read_text": true, "read_blob": true, "glob": true,
}

// allowedTableFunctions is the console's allow-list besides the readers:
// generators and the catalogue, nothing that writes, logs, attaches,
// installs, loads, runs SQL text or reaches the network.
var allowedTableFunctions = map[string]bool{
	"range": true, "generate_series": true, "unnest": true, "repeat": true,
	"json_each": true, "json_tree": true,
	"duckdb_tables": true, "duckdb_columns": true, "duckdb_views": true, "duckdb_types": true,
	"duckdb_constraints": true, "duckdb_indexes": true, "duckdb_schemas": true, "duckdb_databases": true,
	"duckdb_functions": true, "duckdb_keywords": true, "duckdb_sequences": true,
	"pragma_table_info": true,
}

// deniedScalarFunctions have effects beyond computing a value (or disclose
// the machine's environment), so no query of the console may call them.
var deniedScalarFunctions = map[string]bool{
	"getenv": true, "write_log": true, "nextval": true, "currval": true,
	"json_deserialize_sql": true, "json_execute_serialized_sql": true,
}

// checkTree walks one statement's serialised parse tree.
func checkTree(node any) error {
	switch n := node.(type) {
	case []any:
		for _, c := range n {
			if err := checkTree(c); err != nil {
				return err
			}
		}
	case map[string]any:
		if n["type"] == "TABLE_FUNCTION" {
			if err := checkTableFunction(n["function"]); err != nil {
				return err
			}
		}
		if n["type"] == "BASE_TABLE" {
			if name, _ := n["table_name"].(string); isURL(name) {
				return i18n.Errorf("the console reads files on this computer only, not %q", name)
			}
		}
		if n["class"] == "FUNCTION" {
			if name, _ := n["function_name"].(string); deniedScalarFunctions[strings.ToLower(name)] {
				return i18n.Errorf("%s() cannot be used here: the console only reads data", name)
			}
		}
		for _, c := range n {
			if err := checkTree(c); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkTableFunction(f any) error {
	m, _ := f.(map[string]any)
	name, _ := m["function_name"].(string)
	lname := strings.ToLower(name)
	if schema, _ := m["schema"].(string); schema != "" && schema != "main" {
		return i18n.Errorf("%s.%s() cannot be used here: the console only reads data", schema, name)
	}
	if !readerFunctions[lname] && !allowedTableFunctions[lname] {
		return i18n.Errorf("%s() cannot be used here: the console only reads data (functions that write, log, attach, install, load or reach the network are refused)", name)
	}
	if !readerFunctions[lname] {
		return nil
	}
	children, _ := m["children"].([]any)
	if len(children) == 0 {
		return i18n.Errorf("%s() needs a file path", name)
	}
	for _, c := range children {
		cm, _ := c.(map[string]any)
		if cm["class"] == "COMPARISON" { // a named parameter (header = true): the walk checks its value
			continue
		}
		if err := constantArg(name, c); err != nil {
			return err
		}
	}
	return nil
}

// constantArg accepts a path written out (or a list of them) that is not a
// URL. Reader paths are folded before the reader runs, so anything computed
// could hide a URL.
func constantArg(fn string, node any) error {
	m, _ := node.(map[string]any)
	switch {
	case m["class"] == "CONSTANT":
		// A constant serialises as {"type":…, "is_null":…, "value":…}.
		v, _ := m["value"].(map[string]any)
		if s := fmt.Sprint(v["value"]); isURL(s) {
			return i18n.Errorf("the console reads files on this computer only, not %q", s)
		}
		return nil
	case m["class"] == "FUNCTION" && m["function_name"] == "list_value":
		children, _ := m["children"].([]any)
		for _, c := range children {
			if err := constantArg(fn, c); err != nil {
				return err
			}
		}
		return nil
	}
	return i18n.Errorf("%s(): write the file path and options out as text, not as an expression", fn)
}

// isURL is true for anything DuckDB would hand to a remote file system.
func isURL(s string) bool {
	s = strings.ToLower(strings.TrimSpace(s))
	if strings.Contains(s, "://") {
		return true
	}
	for _, p := range []string{"s3:", "gcs:", "gs:", "r2:", "az:", "azure:", "abfss:", "hf:", "http:", "https:", "md:", "motherduck:"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
