package cli

import (
	"database/sql/driver"
	"encoding"
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/ingest"
)

// jsonValue turns v into the one JSON style every --json output shares
// (docs/CLI.md): struct fields become snake_case keys (a json tag wins),
// map keys stay as they are (they are names from the data), times are
// RFC 3339 in UTC, SQL nulls and NaN are null, nil slices are []. The core
// and storage types stay free of CLI tags; some are persisted with their
// Go names, so tagging them would change project files.
func jsonValue(v any) any {
	return convert(reflect.ValueOf(v))
}

var (
	timeType      = reflect.TypeOf(time.Time{})
	valuerType    = reflect.TypeOf((*driver.Valuer)(nil)).Elem()
	marshalerType = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	textType      = reflect.TypeOf((*encoding.TextMarshaler)(nil)).Elem()
	rawType       = reflect.TypeOf(json.RawMessage(nil))
	numberType    = reflect.TypeOf(json.Number(""))
	resultType    = reflect.TypeOf(storage.Result{})
	pageType      = reflect.TypeOf(storage.Page{})
)

func convert(v reflect.Value) any {
	if !v.IsValid() {
		return nil
	}
	t := v.Type()
	switch {
	case t == timeType:
		tm := v.Interface().(time.Time)
		if tm.IsZero() {
			return nil
		}
		return tm.UTC().Format(time.RFC3339)
	case t == rawType, t == numberType:
		return v.Interface()
	case t == resultType:
		res := v.Interface().(storage.Result)
		return resultJSON(&res, nil)
	case t == pageType:
		pg := v.Interface().(storage.Page)
		return resultJSON(&pg.Result, &pg.Total)
	case t.Implements(valuerType) && t.Kind() == reflect.Struct:
		// sql.NullInt64 and friends: the value or null.
		x, err := v.Interface().(driver.Valuer).Value()
		if err != nil {
			return nil
		}
		return convert(reflect.ValueOf(x))
	case t.Kind() != reflect.Pointer && t.Kind() != reflect.Interface && t.Kind() != reflect.String &&
		(t.Implements(marshalerType) || t.Implements(textType)):
		// A type that says how it is written (a rule, a decimal) keeps it.
		return v.Interface()
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return convert(v.Elem())
	case reflect.Struct:
		m := map[string]any{}
		addFields(m, v)
		return m
	case reflect.Map:
		if v.IsNil() {
			return map[string]any{}
		}
		m := make(map[string]any, v.Len())
		it := v.MapRange()
		for it.Next() {
			m[mapKey(it.Key())] = convert(it.Value())
		}
		return m
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return string(v.Bytes())
		}
		fallthrough
	case reflect.Array:
		out := make([]any, v.Len())
		for i := range out {
			out[i] = convert(v.Index(i))
		}
		return out
	case reflect.Float32, reflect.Float64:
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil
		}
		return f
	case reflect.Int64:
		if t == reflect.TypeOf(time.Duration(0)) {
			return v.Interface().(time.Duration).Seconds()
		}
		return v.Int()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32:
		return v.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return v.Uint()
	case reflect.Bool:
		return v.Bool()
	case reflect.String:
		return v.String()
	case reflect.Func, reflect.Chan:
		return nil
	}
	return v.Interface()
}

func mapKey(k reflect.Value) string {
	if k.Kind() == reflect.String {
		return k.String()
	}
	if tm, ok := k.Interface().(encoding.TextMarshaler); ok {
		if b, err := tm.MarshalText(); err == nil {
			return string(b)
		}
	}
	b, _ := json.Marshal(k.Interface())
	return strings.Trim(string(b), `"`)
}

// addFields adds v's exported fields to m as encoding/json would (embedded
// structs flattened, json tags and omitempty honoured), with snake_case
// names for untagged fields.
func addFields(m map[string]any, v reflect.Value) {
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		fv := v.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			if fv.Kind() == reflect.Pointer {
				if fv.IsNil() {
					continue
				}
				fv = fv.Elem()
			}
			if fv.Kind() == reflect.Struct {
				addFields(m, fv)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if strings.Contains(","+opts+",", ",omitempty,") && fv.IsZero() {
			continue
		}
		if name == "" {
			name = snake(f.Name)
		}
		m[name] = convert(fv)
	}
}

// snake turns a Go name into snake_case: AvgRecency → avg_recency,
// CustomerID → customer_id, AOV → aov, SHA256 → sha256.
func snake(s string) string {
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) && i > 0 {
			prev := r[i-1]
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				b.WriteByte('_')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// resultJSON gives a query result's cells their JSON types from the column
// types: numbers as numbers, booleans as booleans, dates as YYYY-MM-DD,
// timestamps as RFC 3339, empty numbers as null. (storage.Result holds the
// display text of each cell, which is what the table view shows.)
func resultJSON(res *storage.Result, total *int64) map[string]any {
	rows := make([][]any, len(res.Rows))
	for i, r := range res.Rows {
		rows[i] = make([]any, len(r))
		for j, c := range r {
			typ := ""
			if j < len(res.Types) {
				typ = res.Types[j]
			}
			rows[i][j] = cellJSON(typ, c)
		}
	}
	out := map[string]any{"columns": orEmpty(res.Columns), "types": orEmpty(res.Types), "rows": rows, "truncated": res.Truncated}
	if total != nil {
		out["total"] = *total
	}
	return out
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func cellJSON(typ, s string) any {
	typ = strings.ToUpper(typ)
	base, _, _ := strings.Cut(typ, "(")
	switch base {
	case "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT", "UINTEGER", "UBIGINT", "UHUGEINT",
		"FLOAT", "DOUBLE", "DECIMAL", "REAL":
		if s == "" || s == "NaN" || s == "Inf" || s == "-Inf" || s == "+Inf" {
			return nil
		}
		if _, err := strconv.ParseFloat(s, 64); err != nil {
			return s
		}
		return json.Number(s)
	case "BOOLEAN":
		switch s {
		case "true":
			return true
		case "false":
			return false
		}
		return nil
	case "DATE":
		if s == "" {
			return nil
		}
		return s
	case "TIMESTAMP", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_NS", "TIMESTAMPTZ", "TIMESTAMP WITH TIME ZONE":
		if s == "" {
			return nil
		}
		for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02"} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.Format(time.RFC3339)
			}
		}
		return s
	}
	return s
}

// profileJSON types each column's top values, earliest and latest by the
// column's type, as resultJSON does for cells.
func profileJSON(prof []storage.ColumnProfile) []any {
	out := make([]any, len(prof))
	for i, c := range prof {
		m := jsonValue(c).(map[string]any)
		top := make([]any, len(c.Top))
		for j, t := range c.Top {
			top[j] = map[string]any{"value": cellJSON(c.Type, t.Value), "count": t.Count}
		}
		m["top"] = top
		m["min_text"] = cellJSON(c.Type, c.MinText)
		m["max_text"] = cellJSON(c.Type, c.MaxText)
		out[i] = m
	}
	return out
}

// previewJSON types an import preview's sample rows by the detected column
// types.
func previewJSON(pv *ingest.Preview) map[string]any {
	m := jsonValue(pv).(map[string]any)
	rows := make([][]any, len(pv.Rows))
	for i, r := range pv.Rows {
		rows[i] = make([]any, len(r))
		for j, c := range r {
			typ := ""
			if j < len(pv.Columns) {
				typ = pv.Columns[j].Type
			}
			rows[i][j] = cellJSON(typ, c)
		}
	}
	m["rows"] = rows
	return m
}
