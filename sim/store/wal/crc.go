package wal

// crc32Combine returns the CRC-32C of A followed by B from crcA, crcB (as
// crc32.Checksum computes them) and B's length: a streamed record's
// checksum begins with its length, known only once its payload is written.
//
// Appending one zero bit to a message is a linear map of the CRC register
// over GF(2); appending n zero bytes is that map raised to 8n, built by
// repeated squaring. The CRC of A||B is A's CRC advanced over len(B) zero
// bytes, xored with B's CRC (the pre- and post-inversion cancel).
func crc32Combine(crcA, crcB uint32, lenB int64) uint32 {
	if lenB <= 0 {
		return crcA // B is empty: crcB is 0
	}
	// op[i] is the image of register bit i under one zero bit: a shift
	// right, and the polynomial where bit 0 falls out.
	var op, sq [32]uint32
	op[0] = castagnoliPoly
	for i := 1; i < 32; i++ {
		op[i] = 1 << (i - 1)
	}
	square(&sq, &op) // two zero bits
	square(&op, &sq) // four
	for {
		square(&sq, &op) // eight, sixteen, …: one byte, two bytes, …
		if lenB&1 != 0 {
			crcA = apply(&sq, crcA)
		}
		lenB >>= 1
		if lenB == 0 {
			break
		}
		op, sq = sq, op
	}
	return crcA ^ crcB
}

// castagnoliPoly is CRC-32C's polynomial in reversed bit order.
const castagnoliPoly = 0x82f63b78

func apply(m *[32]uint32, v uint32) uint32 {
	var r uint32
	for i := 0; v != 0; i, v = i+1, v>>1 {
		if v&1 != 0 {
			r ^= m[i]
		}
	}
	return r
}

// square sets dst to m applied twice.
func square(dst, m *[32]uint32) {
	for i := range dst {
		dst[i] = apply(m, m[i])
	}
}
