#include "textflag.h"

// func gemm4x8(k int, a *float64, sai, sap int, b *float64, ldb int, c *float64, ldc, n int)
//
// For each block of 8 columns: Y0–Y7 hold the 4×8 sums; per p, two loads
// of B's row, one broadcast per row of A, then multiply and add (not
// FMA: the rounding must match the Go code).
TEXT ·gemm4x8(SB), NOSPLIT, $0-72
	MOVQ k+0(FP), DX
	MOVQ a+8(FP), AX
	MOVQ sai+16(FP), SI
	MOVQ sap+24(FP), DI
	MOVQ b+32(FP), BX
	MOVQ ldb+40(FP), R8
	MOVQ c+48(FP), CX
	MOVQ ldc+56(FP), R9
	MOVQ n+64(FP), R10
	SHLQ $3, SI
	SHLQ $3, DI
	SHLQ $3, R8
	SHLQ $3, R9
	LEAQ (SI)(SI*2), R14

cols:
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	MOVQ AX, R11
	MOVQ BX, R12
	MOVQ DX, R13

inner:
	VMOVUPD      (R12), Y8
	VMOVUPD      32(R12), Y9
	VBROADCASTSD (R11), Y10
	VBROADCASTSD (R11)(SI*1), Y11
	VMULPD       Y8, Y10, Y12
	VMULPD       Y9, Y10, Y13
	VADDPD       Y12, Y0, Y0
	VADDPD       Y13, Y1, Y1
	VMULPD       Y8, Y11, Y14
	VMULPD       Y9, Y11, Y15
	VADDPD       Y14, Y2, Y2
	VADDPD       Y15, Y3, Y3
	VBROADCASTSD (R11)(SI*2), Y10
	VBROADCASTSD (R11)(R14*1), Y11
	VMULPD       Y8, Y10, Y12
	VMULPD       Y9, Y10, Y13
	VADDPD       Y12, Y4, Y4
	VADDPD       Y13, Y5, Y5
	VMULPD       Y8, Y11, Y14
	VMULPD       Y9, Y11, Y15
	VADDPD       Y14, Y6, Y6
	VADDPD       Y15, Y7, Y7
	ADDQ         DI, R11
	ADDQ         R8, R12
	DECQ         R13
	JNZ          inner

	LEAQ    (R9)(R9*2), R13
	VMOVUPD Y0, (CX)
	VMOVUPD Y1, 32(CX)
	VMOVUPD Y2, (CX)(R9*1)
	VMOVUPD Y3, 32(CX)(R9*1)
	VMOVUPD Y4, (CX)(R9*2)
	VMOVUPD Y5, 32(CX)(R9*2)
	VMOVUPD Y6, (CX)(R13*1)
	VMOVUPD Y7, 32(CX)(R13*1)
	ADDQ    $64, BX
	ADDQ    $64, CX
	SUBQ    $8, R10
	JNZ     cols

	VZEROUPPER
	RET
