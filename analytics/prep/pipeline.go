package prep

import (
	"errors"
	"fmt"
	"math"

	"gonum.org/v1/gonum/mat"
)

// Step is one numeric transform of a Pipeline. Exactly one field is set; a
// struct of pointers rather than an interface so that encoding/json can
// store and restore it without a type registry.
type Step struct {
	Impute   *Imputer        `json:",omitempty"`
	Standard *StandardScaler `json:",omitempty"`
	MinMax   *MinMaxScaler   `json:",omitempty"`
	PCA      *PCA            `json:",omitempty"`
}

func (s Step) transformer() (Transformer, error) {
	var out []Transformer
	if s.Impute != nil {
		out = append(out, s.Impute)
	}
	if s.Standard != nil {
		out = append(out, s.Standard)
	}
	if s.MinMax != nil {
		out = append(out, s.MinMax)
	}
	if s.PCA != nil {
		out = append(out, s.PCA)
	}
	if len(out) != 1 {
		return nil, fmt.Errorf("prep: pipeline: a step must set exactly one transform, this one sets %d", len(out))
	}
	return out[0], nil
}

// Pipeline is the fitted preprocessing of a model. A model stores it (it
// round-trips through encoding/json) and calls Transform at scoring time,
// so new rows get exactly the transforms the training rows got.
//
// The numeric columns pass through Steps in order; the categorical columns,
// if Cat is set, are one-hot encoded and appended after them.
type Pipeline struct {
	Steps []Step
	Cat   *OneHot `json:",omitempty"` // set Cat.Columns before Fit to name the columns
}

// Fit fits each step on the training rows as transformed by the steps
// before it, then the one-hot encoder. num may be nil if there are no
// Steps, cat if there is no Cat; otherwise both need the same rows.
func (p *Pipeline) Fit(num *mat.Dense, cat [][]string) error {
	if err := p.rows(num, cat); err != nil {
		return err
	}
	X := num
	for i, s := range p.Steps {
		tr, err := s.transformer()
		if err != nil {
			return fmt.Errorf("%w (step %d)", err, i)
		}
		if err := tr.Fit(X); err != nil {
			return err
		}
		if X, err = tr.Transform(X); err != nil {
			return err
		}
	}
	if p.Cat != nil {
		return p.Cat.Fit(p.Cat.Columns, cat)
	}
	return nil
}

// Transform applies the fitted steps to new rows.
func (p *Pipeline) Transform(num *mat.Dense, cat [][]string) (*mat.Dense, error) {
	if err := p.rows(num, cat); err != nil {
		return nil, err
	}
	X := num
	for i, s := range p.Steps {
		tr, err := s.transformer()
		if err != nil {
			return nil, fmt.Errorf("%w (step %d)", err, i)
		}
		if X, err = tr.Transform(X); err != nil {
			return nil, err
		}
	}
	if p.Cat == nil {
		return X, nil
	}
	C, err := p.Cat.Transform(cat)
	if err != nil || X == nil {
		return C, err
	}
	var out mat.Dense
	out.Augment(X, C)
	return &out, nil
}

// rows checks that the inputs the pipeline needs are there and agree.
func (p *Pipeline) rows(num *mat.Dense, cat [][]string) error {
	if len(p.Steps) == 0 && p.Cat == nil {
		return errors.New("prep: pipeline: no steps")
	}
	if num == nil && len(p.Steps) > 0 {
		return errors.New("prep: pipeline: no numeric columns for the numeric steps")
	}
	if p.Cat == nil {
		return nil
	}
	if len(cat) == 0 {
		return errors.New("prep: pipeline: no categorical rows for the one-hot step")
	}
	if num != nil {
		if n, _ := num.Dims(); n != len(cat) {
			return fmt.Errorf("prep: pipeline: %d numeric rows but %d categorical rows", n, len(cat))
		}
	}
	return nil
}

// inPlacer is a numeric step that can transform X where it is, so a
// pipeline over a million rows need not hold a copy per step.
type inPlacer interface {
	transformInPlace(X *mat.Dense) error
}

func (m *Imputer) transformInPlace(X *mat.Dense) error {
	if err := width("imputer", X, len(m.Stats)); err != nil {
		return err
	}
	n, _ := X.Dims()
	for i := range n {
		row := X.RawRowView(i)
		for j, v := range row {
			if math.IsNaN(v) {
				row[j] = m.Stats[j]
			}
		}
	}
	return nil
}

func (s *StandardScaler) transformInPlace(X *mat.Dense) error {
	if err := width("standard scaler", X, len(s.Mean)); err != nil {
		return err
	}
	affineInPlace(X, s.Mean, s.Scale)
	return nil
}

func affineInPlace(X *mat.Dense, shift, scale []float64) {
	n, _ := X.Dims()
	for i := range n {
		row := X.RawRowView(i)
		for j, v := range row {
			row[j] = (v - shift[j]) / scale[j]
		}
	}
}

// FitTransformOwned is Fit followed by Transform on the same rows, for a
// caller that owns num: steps that can (imputing, standard scaling) work
// in place, so num is overwritten and no copy per step is made. The result
// equals Transform's exactly.
func (p *Pipeline) FitTransformOwned(num *mat.Dense, cat [][]string) (*mat.Dense, error) {
	return p.owned(num, cat, true)
}

// TransformOwned is Transform for a caller that owns num, which it may
// overwrite (see FitTransformOwned).
func (p *Pipeline) TransformOwned(num *mat.Dense, cat [][]string) (*mat.Dense, error) {
	return p.owned(num, cat, false)
}

func (p *Pipeline) owned(num *mat.Dense, cat [][]string, fit bool) (*mat.Dense, error) {
	if err := p.rows(num, cat); err != nil {
		return nil, err
	}
	X := num
	for i, s := range p.Steps {
		tr, err := s.transformer()
		if err != nil {
			return nil, fmt.Errorf("%w (step %d)", err, i)
		}
		if fit {
			if err := tr.Fit(X); err != nil {
				return nil, err
			}
		}
		if ip, ok := tr.(inPlacer); ok {
			if err := ip.transformInPlace(X); err != nil {
				return nil, err
			}
		} else if X, err = tr.Transform(X); err != nil {
			return nil, err
		}
	}
	if p.Cat == nil {
		return X, nil
	}
	if fit {
		if err := p.Cat.Fit(p.Cat.Columns, cat); err != nil {
			return nil, err
		}
	}
	C, err := p.Cat.Transform(cat)
	if err != nil || X == nil {
		return C, err
	}
	var out mat.Dense
	out.Augment(X, C)
	return &out, nil
}
