package core

import (
	"strings"

	"github.com/marketbench/marketbench/storage"
	"github.com/marketbench/marketbench/storage/models"
)

// IsWorkingTable reports whether Marketbench made the table itself rather
// than the user importing it: RFM and model scores, model training tables
// and the rows an import could not read. The Data screen lists them apart
// so a user's own tables are not lost among them.
func IsWorkingTable(name string) bool {
	l := strings.ToLower(name)
	switch l {
	case storage.RFMTable, storage.ModelScoresTable, models.Churn + "_training", models.Purchase + "_training":
		return true
	}
	return strings.HasSuffix(l, "_rejects")
}
