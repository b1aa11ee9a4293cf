//go:build !amd64

package mlp

var useAVX2 = false // a variable, as on amd64, for the tests

func hasAVX2() bool { return false }

func gemm4x8(k int, a *float64, sai, sap int, b *float64, ldb int, c *float64, ldc, n int, e *float64, mode int) {
	panic("unreachable")
}

func adam4(n int, g, m, v, p *float64, c *[6]float64) { panic("unreachable") }
