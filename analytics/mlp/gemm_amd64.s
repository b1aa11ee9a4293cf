#include "textflag.h"

// func gemm4x8(k int, a *float64, sai, sap int, b *float64, ldb int, c *float64, ldc, n int, e *float64, mode int)
//
// For each block of 8 columns: Y0–Y7 hold the 4×8 sums; per p, two loads
// of B's row, one broadcast per row of A, then multiply and add (not
// FMA: the rounding must match the Go code). Then the epilogue of mode
// (0 plain, 1 bias and ReLU, 2 ReLU mask) and the stores.
TEXT ·gemm4x8(SB), NOSPLIT, $0-88
	MOVQ a+8(FP), AX
	MOVQ sai+16(FP), SI
	MOVQ sap+24(FP), DI
	MOVQ b+32(FP), BX
	MOVQ ldb+40(FP), R8
	MOVQ c+48(FP), CX
	MOVQ ldc+56(FP), R9
	MOVQ n+64(FP), DX
	SHLQ $3, SI
	SHLQ $3, DI
	SHLQ $3, R8
	SHLQ $3, R9
	SHLQ $3, DX                // n in bytes
	LEAQ (SI)(SI*2), R14       // 3·sai
	XORQ R10, R10              // the block's first column, in bytes

cols:
	VXORPD Y0, Y0, Y0
	VXORPD Y1, Y1, Y1
	VXORPD Y2, Y2, Y2
	VXORPD Y3, Y3, Y3
	VXORPD Y4, Y4, Y4
	VXORPD Y5, Y5, Y5
	VXORPD Y6, Y6, Y6
	VXORPD Y7, Y7, Y7
	MOVQ   AX, R11
	LEAQ   (BX)(R10*1), R12
	MOVQ   k+0(FP), R13

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

	LEAQ   (R9)(R9*2), R13     // 3·ldc
	MOVQ   e+72(FP), R12
	ADDQ   R10, R12            // the bias, or row 0 of the mask, at this block
	VXORPD Y15, Y15, Y15
	CMPQ   mode+80(FP), $1
	JLT    store
	JGT    mask

	// c = max(c + bias, 0); VMAXPD returns its second source (the sum)
	// when either is NaN or both are zero.
	VMOVUPD (R12), Y8
	VMOVUPD 32(R12), Y9
	VADDPD  Y8, Y0, Y0
	VADDPD  Y9, Y1, Y1
	VADDPD  Y8, Y2, Y2
	VADDPD  Y9, Y3, Y3
	VADDPD  Y8, Y4, Y4
	VADDPD  Y9, Y5, Y5
	VADDPD  Y8, Y6, Y6
	VADDPD  Y9, Y7, Y7
	VMAXPD  Y0, Y15, Y0
	VMAXPD  Y1, Y15, Y1
	VMAXPD  Y2, Y15, Y2
	VMAXPD  Y3, Y15, Y3
	VMAXPD  Y4, Y15, Y4
	VMAXPD  Y5, Y15, Y5
	VMAXPD  Y6, Y15, Y6
	VMAXPD  Y7, Y15, Y7
	JMP     store

mask:
	// c = 0 where the mask is ≤ 0: keep where it is not (NLE_UQ, so a
	// NaN keeps it, as the Go code's v <= 0 test).
	VMOVUPD (R12), Y8
	VMOVUPD 32(R12), Y9
	VMOVUPD (R12)(R9*1), Y10
	VMOVUPD 32(R12)(R9*1), Y11
	VCMPPD  $0x16, Y15, Y8, Y8
	VCMPPD  $0x16, Y15, Y9, Y9
	VCMPPD  $0x16, Y15, Y10, Y10
	VCMPPD  $0x16, Y15, Y11, Y11
	VANDPD  Y8, Y0, Y0
	VANDPD  Y9, Y1, Y1
	VANDPD  Y10, Y2, Y2
	VANDPD  Y11, Y3, Y3
	VMOVUPD (R12)(R9*2), Y8
	VMOVUPD 32(R12)(R9*2), Y9
	VMOVUPD (R12)(R13*1), Y10
	VMOVUPD 32(R12)(R13*1), Y11
	VCMPPD  $0x16, Y15, Y8, Y8
	VCMPPD  $0x16, Y15, Y9, Y9
	VCMPPD  $0x16, Y15, Y10, Y10
	VCMPPD  $0x16, Y15, Y11, Y11
	VANDPD  Y8, Y4, Y4
	VANDPD  Y9, Y5, Y5
	VANDPD  Y10, Y6, Y6
	VANDPD  Y11, Y7, Y7

store:
	LEAQ    (CX)(R10*1), R11
	VMOVUPD Y0, (R11)
	VMOVUPD Y1, 32(R11)
	VMOVUPD Y2, (R11)(R9*1)
	VMOVUPD Y3, 32(R11)(R9*1)
	VMOVUPD Y4, (R11)(R9*2)
	VMOVUPD Y5, 32(R11)(R9*2)
	VMOVUPD Y6, (R11)(R13*1)
	VMOVUPD Y7, 32(R11)(R13*1)
	ADDQ    $64, R10
	CMPQ    R10, DX
	JLT     cols

	VZEROUPPER
	RET
