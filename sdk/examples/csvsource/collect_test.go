package main

import (
	"slices"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
)

// collect is an sdk.SourceWriter for calling Read directly in a test.
type collect struct {
	rows   [][]string // the _file column of each row
	states [][]byte
}

func (c *collect) Write(rec arrow.RecordBatch) error {
	col := rec.Column(0).(*array.String)
	for i := range col.Len() {
		c.rows = append(c.rows, []string{col.Value(i)})
	}
	return nil
}

func (c *collect) Checkpoint(state []byte) error {
	c.states = append(c.states, slices.Clone(state))
	return nil
}

// files lists the files rows came from, in order, once each.
func (c *collect) files() []string {
	var out []string
	for _, r := range c.rows {
		if !slices.Contains(out, r[0]) {
			out = append(out, r[0])
		}
	}
	return out
}
