#include "textflag.h"

// func adam4(n int, gr, m, v, p *float64, c *[6]float64)
//
// Four parameters at a time, the operations of adamRange's Go loop in
// its order: c is b1, 1-b1, b2, 1-b2, lr, eps.
TEXT ·adam4(SB), NOSPLIT, $0-48
	MOVQ n+0(FP), CX
	MOVQ gr+8(FP), SI
	MOVQ m+16(FP), DI
	MOVQ v+24(FP), R8
	MOVQ p+32(FP), R9
	MOVQ c+40(FP), AX
	VBROADCASTSD 0(AX), Y10  // b1
	VBROADCASTSD 8(AX), Y11  // 1-b1
	VBROADCASTSD 16(AX), Y12 // b2
	VBROADCASTSD 24(AX), Y13 // 1-b2
	VBROADCASTSD 32(AX), Y14 // lr
	VBROADCASTSD 40(AX), Y15 // eps
	XORQ BX, BX

loop:
	VMOVUPD (SI)(BX*8), Y0
	VMULPD  (DI)(BX*8), Y10, Y1 // b1·m
	VMULPD  Y0, Y11, Y2         // (1-b1)·g
	VADDPD  Y2, Y1, Y1          // m
	VMOVUPD Y1, (DI)(BX*8)
	VMULPD  (R8)(BX*8), Y12, Y3 // b2·v
	VMULPD  Y0, Y13, Y4         // (1-b2)·g
	VMULPD  Y0, Y4, Y4          // ·g
	VADDPD  Y4, Y3, Y3          // v
	VMOVUPD Y3, (R8)(BX*8)
	VSQRTPD Y3, Y5
	VADDPD  Y15, Y5, Y5         // √v + eps
	VMULPD  Y1, Y14, Y6         // lr·m
	VDIVPD  Y5, Y6, Y6          // lr·m / (√v + eps)
	VMOVUPD (R9)(BX*8), Y7
	VSUBPD  Y6, Y7, Y7
	VMOVUPD Y7, (R9)(BX*8)
	ADDQ    $4, BX
	CMPQ    BX, CX
	JLT     loop

	VZEROUPPER
	RET
