package mlp

import "golang.org/x/sys/cpu"

// useAVX2 picks the assembly kernel; a variable so the tests can turn it
// off and compare.
var useAVX2 = cpu.X86.HasAVX2

func hasAVX2() bool { return cpu.X86.HasAVX2 }

// gemm4x8 is gemm for rows 0–3 and columns 0–n of c, for k ≥ 1 and n a
// positive multiple of 8, four doubles per instruction; e is the bias (at
// column 0) or the mask (at row 0) for mode. It multiplies and adds
// separately (no FMA), so its sums match gemmGo's to the bit.
//
//go:noescape
func gemm4x8(k int, a *float64, sai, sap int, b *float64, ldb int, c *float64, ldc, n int, e *float64, mode int)

// adam4 is adamRange's loop for n a positive multiple of 4, four
// parameters per instruction, with the same operations in the same order
// (IEEE square roots and quotients are exact to the bit on either path).
//
//go:noescape
func adam4(n int, gr, m, v, p *float64, c *[6]float64)
