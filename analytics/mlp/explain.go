package mlp

// Attribute splits the difference between the prediction for x and for
// base (a reference row, such as the training means) among the inputs by
// integrated gradients (Sundararajan, Taly & Yan, 2017): input j gets
// (x_j − base_j) times the average gradient of the prediction along the
// straight path from base to x, with steps midpoints. The parts add up to
// f(x) − f(base) up to the midpoint rule's error, which shrinks as steps
// grow (a ReLU network is piecewise linear, so the path has few kinks).
// Predictions are probabilities for a classifier and amounts for a
// regression.
func (net *Net) Attribute(x, base []float64, steps int) []float64 {
	d := net.Sizes[0]
	steps = max(steps, 1)
	f := newForward(net.Sizes, steps)
	for s := range steps {
		a := (float64(s) + 0.5) / float64(steps)
		row := f.acts[0][s*d : (s+1)*d]
		for j := range row {
			row[j] = base[j] + a*(x[j]-base[j])
		}
	}
	z := f.run(net, steps)
	L := len(net.Sizes) - 1
	// The derivative of the prediction with respect to the output value.
	delta := make([]float64, steps)
	for s, v := range z {
		if net.Regression {
			delta[s] = net.YScale
		} else {
			p := sigmoid(v)
			delta[s] = p * (1 - p)
		}
	}
	for l := L - 1; l >= 0; l-- {
		in, out := net.Sizes[l], net.Sizes[l+1]
		prev := make([]float64, steps*in)
		var mask []float64 // the ReLU's derivative; the inputs have none
		if l > 0 {
			mask = f.acts[l][:steps*in]
		}
		backDelta(steps, in, out, delta, net.Coef[l], nil, mask, prev)
		delta = prev
	}
	out := make([]float64, d)
	for s := range steps {
		for j, g := range delta[s*d : (s+1)*d] {
			out[j] += g
		}
	}
	for j := range out {
		out[j] *= (x[j] - base[j]) / float64(steps)
	}
	return out
}
