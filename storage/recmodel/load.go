package recmodel

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"

	"github.com/marketbench/marketbench/storage"
)

// LoadNeighbours reads the first maxRank entries of every product's list of
// one kind, checking each: ranks 1..K without gaps or repeats, finite
// non-negative scores in descending order, at least one co-buyer, no
// product its own neighbour, bounded text. Any fault is ErrDamaged.
func LoadNeighbours(ctx context.Context, p *storage.Project, in *Info, kind string, maxRank int) (map[string][]Neighbour, error) {
	name := in.Name
	var n int64
	if err := p.Q().QueryRowContext(ctx, `SELECT count(*) FROM mb_rec_neighbours WHERE model = ? AND kind = ?`, name, kind).Scan(&n); err != nil {
		return nil, damagedOr(ctx, name, err)
	}
	if limit := int64(in.Products+1) * int64(in.Options.K); n > limit {
		return nil, Damaged(name, fmt.Sprintf("%d neighbour rows for %d products", n, in.Products))
	}
	rows, err := p.Q().QueryContext(ctx, `SELECT CAST(product_id AS VARCHAR), CAST(rank AS BIGINT), CAST(neighbour_id AS VARCHAR),
		CAST(score AS DOUBLE), CAST(co_buyers AS BIGINT) FROM mb_rec_neighbours
		WHERE model = ? AND kind = ? AND rank <= ? ORDER BY product_id, rank`, name, kind, maxRank)
	if err != nil {
		return nil, damagedOr(ctx, name, err)
	}
	defer rows.Close()
	out := map[string][]Neighbour{}
	for rows.Next() {
		var pid, nid *string
		var rank, co *int64
		var score *float64
		if err := rows.Scan(&pid, &rank, &nid, &score, &co); err != nil {
			return nil, damagedOr(ctx, name, err)
		}
		switch {
		case pid == nil || nid == nil || rank == nil || score == nil || co == nil:
			return nil, Damaged(name, "an empty neighbour value")
		case len(*pid) > maxLen || len(*nid) > maxLen || *pid == "" || *nid == "":
			return nil, Damaged(name, "a product id of bad length")
		case *pid == *nid:
			return nil, Damaged(name, fmt.Sprintf("product %q is its own neighbour", *pid))
		case math.IsNaN(*score) || math.IsInf(*score, 0) || *score < 0:
			return nil, Damaged(name, fmt.Sprintf("neighbour score %v", *score))
		case *co < 1 || *co > int64(max(in.Customers, 1)):
			return nil, Damaged(name, fmt.Sprintf("%d co-buyers", *co))
		}
		list := out[*pid]
		if int(*rank) != len(list)+1 {
			return nil, Damaged(name, fmt.Sprintf("product %q has neighbour rank %d after %d", *pid, *rank, len(list)))
		}
		if len(list) > 0 && *score > list[len(list)-1].Score {
			return nil, Damaged(name, fmt.Sprintf("product %q's neighbours are not in order", *pid))
		}
		for _, x := range list {
			if x.ID == *nid {
				return nil, Damaged(name, fmt.Sprintf("product %q lists %q twice", *pid, *nid))
			}
		}
		out[*pid] = append(list, Neighbour{ID: *nid, Score: *score, CoBuyers: int(*co)})
	}
	if err := rows.Err(); err != nil {
		return nil, damagedOr(ctx, name, err)
	}
	if len(out) > in.Products {
		return nil, Damaged(name, fmt.Sprintf("lists for %d products, trained on %d", len(out), in.Products))
	}
	return out, nil
}

// LoadFactors reads an ALS model's product ids and factors (row-major,
// in.Options.Factors per product), checking sizes and values.
func LoadFactors(ctx context.Context, p *storage.Project, in *Info) ([]string, []float64, error) {
	name, k := in.Name, in.Options.Factors
	var n int64
	if err := p.Q().QueryRowContext(ctx, `SELECT count(*) FROM mb_rec_factors WHERE model = ?`, name).Scan(&n); err != nil {
		return nil, nil, damagedOr(ctx, name, err)
	}
	if n != int64(in.Products) || n == 0 {
		return nil, nil, Damaged(name, fmt.Sprintf("factors for %d products, trained on %d", n, in.Products))
	}
	rows, err := p.Q().QueryContext(ctx, `SELECT CAST(product_id AS VARCHAR), CAST(factors AS BLOB) FROM mb_rec_factors WHERE model = ? ORDER BY product_id`, name)
	if err != nil {
		return nil, nil, damagedOr(ctx, name, err)
	}
	defer rows.Close()
	ids := make([]string, 0, n)
	f := make([]float64, 0, int(n)*k)
	seen := map[string]bool{}
	for rows.Next() {
		var id *string
		var b []byte
		if err := rows.Scan(&id, &b); err != nil {
			return nil, nil, damagedOr(ctx, name, err)
		}
		if id == nil || *id == "" || len(*id) > maxLen || seen[*id] {
			return nil, nil, Damaged(name, "a missing, long or repeated product id")
		}
		if len(b) != 8*k {
			return nil, nil, Damaged(name, fmt.Sprintf("product %q has %d bytes of factors, not %d", *id, len(b), 8*k))
		}
		seen[*id] = true
		ids = append(ids, *id)
		for i := 0; i < k; i++ {
			v := math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:]))
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, nil, Damaged(name, fmt.Sprintf("product %q has factor %v", *id, v))
			}
			f = append(f, v)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, nil, damagedOr(ctx, name, err)
	}
	return ids, f, nil
}

func damagedOr(ctx context.Context, name string, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return Damaged(name, storage.FirstLine(err.Error()))
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func hexFloats(v []float64) string {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return hex.EncodeToString(b)
}
