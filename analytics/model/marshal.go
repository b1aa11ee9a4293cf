package model

import (
	"encoding/json"
	"errors"

	"github.com/marketbench/marketbench/analytics/forest"
	"github.com/marketbench/marketbench/analytics/msg"
)

// formatVersion is bumped when a stored model can no longer be read the
// old way; Unmarshal refuses versions it does not know.
const formatVersion = 1

type stored struct {
	Version int    `json:"version"`
	Model   *Model `json:"model"`
	// Forest is forest.Marshal's own compact encoding.
	Forest []byte `json:"forest,omitempty"`
}

// Marshal encodes the model, pipeline and evaluation for the project file.
func (m *Model) Marshal() ([]byte, error) {
	s := stored{Version: formatVersion, Model: m}
	if m.Forest != nil {
		b, err := m.Forest.Marshal()
		if err != nil {
			return nil, err
		}
		s.Forest = b
	}
	return json.Marshal(s)
}

// Unmarshal decodes a model written by Marshal and checks that its parts fit
// together, so a damaged model is refused when loaded rather than failing
// while scoring.
func Unmarshal(b []byte) (*Model, error) {
	var s stored
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, msg.Errorf("the stored model is damaged: %v", err)
	}
	if s.Version != formatVersion {
		return nil, msg.Errorf("the stored model has format %d; this version of Marketbench reads format %d", s.Version, formatVersion)
	}
	m := s.Model
	if m == nil {
		return nil, msg.Errorf("the stored model is empty")
	}
	if len(s.Forest) > 0 {
		f, err := forest.Unmarshal(s.Forest)
		if err != nil {
			return nil, msg.Errorf("the stored forest is damaged: %v", err)
		}
		m.Forest = f
	}
	if err := m.check(); err != nil {
		return nil, msg.Errorf("the stored model is damaged: %v", err)
	}
	return m, nil
}

func (m *Model) check() error {
	if err := m.Spec.Validate(); err != nil {
		return err
	}
	if m.Pipeline == nil {
		return errors.New("no pipeline")
	}
	nf := len(m.Features)
	if len(m.Means) != nf {
		return errors.New("feature means do not match the features")
	}
	if (len(m.Spec.Categorical) > 0) != (m.Pipeline.Cat != nil) {
		return errors.New("categorical features do not match the pipeline")
	}
	if m.Pipeline.Cat != nil {
		if len(m.Pipeline.Cat.Categories) != len(m.Spec.Categorical) {
			return errors.New("categories do not match the categorical features")
		}
		k := len(m.Spec.Numeric)
		for j := range m.Pipeline.Cat.Categories {
			k += m.Pipeline.Cat.Width(j)
		}
		if k != nf {
			return errors.New("one-hot columns do not match the features")
		}
	} else if nf != len(m.Spec.Numeric) {
		return errors.New("features do not match the numeric columns")
	}
	if len(m.Spec.Numeric) > 0 && len(m.Pipeline.Steps) == 0 {
		return errors.New("no numeric steps")
	}
	nn := len(m.Spec.Numeric)
	for _, st := range m.Pipeline.Steps {
		switch {
		case st.Impute != nil && st.Standard == nil && st.MinMax == nil && st.PCA == nil:
			if len(st.Impute.Stats) != nn {
				return errors.New("the imputer does not match the numeric columns")
			}
		case st.Standard != nil && st.Impute == nil && st.MinMax == nil && st.PCA == nil:
			if len(st.Standard.Mean) != nn || len(st.Standard.Scale) != nn {
				return errors.New("the scaler does not match the numeric columns")
			}
		default:
			return errors.New("unexpected preprocessing step")
		}
	}
	if !Regression(m.Spec.Algo) && len(m.Classes) != 2 {
		return errors.New("a yes/no model needs two class names")
	}
	count := 0
	switch {
	case m.Logistic != nil:
		count++
		if m.Spec.Algo != LogReg || len(m.Logistic.Coef) != nf {
			return errors.New("logistic coefficients do not match")
		}
	}
	if m.Linear != nil {
		count++
		if m.Spec.Algo != LinReg || len(m.Linear.Coef) != nf {
			return errors.New("linear coefficients do not match")
		}
	}
	if m.Tree != nil {
		count++
		if m.Spec.Algo != Tree || m.Tree.NFeatures != nf || len(m.Tree.Nodes) == 0 || len(m.Tree.Classes) != 2 {
			return errors.New("the tree does not match")
		}
		if m.Tree.Classes[0] != 0 || m.Tree.Classes[1] != 1 {
			return errors.New("the tree's classes are not 0 and 1")
		}
		for i, n := range m.Tree.Nodes {
			// Children come after their parent (pre-order), so walks end.
			if !n.Leaf() && (n.Feature < 0 || n.Feature >= nf || n.Left <= i || n.Right <= i || n.Left >= len(m.Tree.Nodes) || n.Right >= len(m.Tree.Nodes)) {
				return errors.New("the tree's nodes are inconsistent")
			}
			if len(n.Value) != 2 {
				return errors.New("the tree's leaves are inconsistent")
			}
		}
	}
	if m.Forest != nil {
		count++
		if m.Spec.Algo != Forest || m.Forest.NFeatures != nf || len(m.Forest.Classes) != 2 {
			return errors.New("the forest does not match")
		}
	}
	if m.MLP != nil {
		count++
		if !isMLP(m.Spec.Algo) || m.MLP.Regression != Regression(m.Spec.Algo) {
			return errors.New("the neural network does not match its algorithm")
		}
		if err := m.MLP.Check(nf); err != nil {
			return err
		}
	}
	if count != 1 {
		return errors.New("expected exactly one fitted algorithm")
	}
	return nil
}
