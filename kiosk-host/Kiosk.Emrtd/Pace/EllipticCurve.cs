using System.Numerics;

namespace Kiosk.Emrtd.Pace;

/// <summary>
/// y² = x³ + ax + b over the prime field p, with generator G of prime order n and cofactor h. Points are affine
/// (Jacobian only inside <see cref="Multiply"/>), numbers <see cref="BigInteger"/>: plain and not constant-time, which
/// suits a terminal's one-use ephemeral keys and the virtual card, not a long-lived secret key. PACE generic mapping
/// keeps the curve and swaps the generator (<see cref="WithGenerator"/>).
/// </summary>
public sealed record EllipticCurve(string Name, BigInteger P, BigInteger A, BigInteger B, EcPoint G, BigInteger N, BigInteger H)
{
    /// <summary>Bytes of one coordinate: the length of p.</summary>
    public int FieldLength => (int)((P.GetBitLength() + 7) / 8);

    public int OrderLength => (int)((N.GetBitLength() + 7) / 8);

    public EllipticCurve WithGenerator(EcPoint generator)
    {
        if (!IsOnCurve(generator) || generator.IsInfinity) throw new InvalidPointException($"[{Name}] the mapped generator is not a curve point");
        return this with { G = generator };
    }

    public bool IsOnCurve(EcPoint point)
    {
        if (point.IsInfinity) return true;
        if (point.X.Sign < 0 || point.X >= P || point.Y.Sign < 0 || point.Y >= P) return false;
        BigInteger left = Mod(point.Y * point.Y);
        BigInteger right = Mod(point.X * point.X * point.X + A * point.X + B);
        return left == right;
    }

    public EcPoint Negate(EcPoint point) => point.IsInfinity ? point : new EcPoint(point.X, Mod(-point.Y));

    public EcPoint Add(EcPoint first, EcPoint second)
    {
        if (first.IsInfinity) return second;
        if (second.IsInfinity) return first;
        if (first.X == second.X)
            return first.Y == second.Y && !first.Y.IsZero ? Double(first) : EcPoint.Infinity;
        BigInteger slope = Mod((second.Y - first.Y) * Inverse(second.X - first.X));
        BigInteger x = Mod(slope * slope - first.X - second.X);
        BigInteger y = Mod(slope * (first.X - x) - first.Y);
        return new EcPoint(x, y);
    }

    public EcPoint Double(EcPoint point)
    {
        if (point.IsInfinity || point.Y.IsZero) return EcPoint.Infinity;
        BigInteger slope = Mod((3 * point.X * point.X + A) * Inverse(2 * point.Y));
        BigInteger x = Mod(slope * slope - 2 * point.X);
        BigInteger y = Mod(slope * (point.X - x) - point.Y);
        return new EcPoint(x, y);
    }

    /// <summary>
    /// k·P by double-and-add from the most significant bit; k may be any integer. Runs in Jacobian coordinates
    /// (x = X/Z², y = Y/Z³) on <see cref="MontgomeryField"/> numbers, so only the final conversion needs a field
    /// inversion: one 256-bit multiplication takes well under a millisecond.
    /// </summary>
    public EcPoint Multiply(BigInteger scalar, EcPoint point)
    {
        if (scalar.Sign < 0) return Multiply(-scalar, Negate(point));
        if (point.IsInfinity || scalar.IsZero) return EcPoint.Infinity;
        if (P.IsEven || P < 3) throw new MalformedDataException($"[{Name}] the field modulus is not an odd prime");
        var field = MontgomeryField.For(P);
        var a = field.ToMontgomery(Mod(A));
        var affine = (X: field.ToMontgomery(Mod(point.X)), Y: field.ToMontgomery(Mod(point.Y)));
        Jacobian result = new(field.Zero(), field.Zero(), field.Zero());
        byte[] bits = scalar.ToByteArray(isUnsigned: true, isBigEndian: false);
        for (long bit = (long)scalar.GetBitLength() - 1; bit >= 0; bit--)
        {
            result = JacobianDouble(field, a, result);
            if ((bits[bit >> 3] & (1 << (int)(bit & 7))) != 0) result = JacobianAddAffine(field, a, result, affine.X, affine.Y);
        }
        if (MontgomeryField.IsZero(result.Z)) return EcPoint.Infinity;
        ulong[] zInverse = field.Inverse(result.Z), zInverseSquared = field.Square(zInverse);
        return new EcPoint(field.ToInteger(field.Multiply(result.X, zInverseSquared)),
            field.ToInteger(field.Multiply(result.Y, field.Multiply(zInverseSquared, zInverse))));
    }

    /// <summary>A Jacobian point on Montgomery numbers; Z = 0 is the point at infinity.</summary>
    private readonly record struct Jacobian(ulong[] X, ulong[] Y, ulong[] Z);

    private static Jacobian JacobianDouble(MontgomeryField f, ulong[] a, Jacobian point)
    {
        if (MontgomeryField.IsZero(point.Z) || MontgomeryField.IsZero(point.Y)) return new(f.Zero(), f.Zero(), f.Zero());
        ulong[] ySquared = f.Square(point.Y);
        ulong[] xySquared = f.Multiply(point.X, ySquared);
        ulong[] s = f.Add(f.Add(xySquared, xySquared), f.Add(xySquared, xySquared));
        ulong[] zSquared = f.Square(point.Z);
        ulong[] xSquared = f.Square(point.X);
        ulong[] m = f.Add(f.Add(f.Add(xSquared, xSquared), xSquared), f.Multiply(a, f.Square(zSquared)));
        ulong[] x = f.Subtract(f.Square(m), f.Add(s, s));
        ulong[] y4 = f.Square(ySquared);
        ulong[] y8 = f.Add(f.Add(f.Add(y4, y4), f.Add(y4, y4)), f.Add(f.Add(y4, y4), f.Add(y4, y4)));
        ulong[] y = f.Subtract(f.Multiply(m, f.Subtract(s, x)), y8);
        ulong[] yz = f.Multiply(point.Y, point.Z);
        return new(x, y, f.Add(yz, yz));
    }

    private static Jacobian JacobianAddAffine(MontgomeryField f, ulong[] a, Jacobian first, ulong[] secondX, ulong[] secondY)
    {
        if (MontgomeryField.IsZero(first.Z)) return new(secondX, secondY, f.One);
        ulong[] zSquared = f.Square(first.Z);
        ulong[] u = f.Multiply(secondX, zSquared);
        ulong[] v = f.Multiply(secondY, f.Multiply(zSquared, first.Z));
        ulong[] h = f.Subtract(u, first.X), r = f.Subtract(v, first.Y);
        if (MontgomeryField.IsZero(h)) return MontgomeryField.IsZero(r) ? JacobianDouble(f, a, first) : new(f.Zero(), f.Zero(), f.Zero());
        ulong[] hSquared = f.Square(h), hCubed = f.Multiply(hSquared, h), w = f.Multiply(first.X, hSquared);
        ulong[] x = f.Subtract(f.Subtract(f.Square(r), hCubed), f.Add(w, w));
        ulong[] y = f.Subtract(f.Multiply(r, f.Subtract(w, x)), f.Multiply(first.Y, hCubed));
        return new(x, y, f.Multiply(first.Z, h));
    }

    /// <summary>Uncompressed encoding 04 ‖ X ‖ Y, each coordinate padded to the field length (SEC 1 §2.3.3).</summary>
    public byte[] Encode(EcPoint point)
    {
        if (point.IsInfinity) throw new InvalidPointException($"[{Name}] the point at infinity has no uncompressed encoding");
        return [0x04, .. Coordinate(point.X), .. Coordinate(point.Y)];
    }

    public byte[] Coordinate(BigInteger value) => ToFixedLength(value, FieldLength);

    /// <summary>Decodes an uncompressed point and rejects anything not on this curve (invalid-curve attacks).</summary>
    public EcPoint Decode(ReadOnlySpan<byte> encoded)
    {
        int length = FieldLength;
        if (encoded.Length != 1 + 2 * length || encoded[0] != 0x04)
            throw new InvalidPointException($"[{Name}] expected an uncompressed point of {1 + 2 * length} bytes, got {encoded.Length} bytes");
        var point = new EcPoint(ToInteger(encoded.Slice(1, length)), ToInteger(encoded.Slice(1 + length, length)));
        if (!IsOnCurve(point)) throw new InvalidPointException($"[{Name}] the point is not on the curve");
        return point;
    }

    public static BigInteger ToInteger(ReadOnlySpan<byte> bigEndian) => new(bigEndian, isUnsigned: true, isBigEndian: true);

    public static byte[] ToFixedLength(BigInteger value, int length)
    {
        byte[] bytes = value.ToByteArray(isUnsigned: true, isBigEndian: true);
        if (bytes.Length > length) throw new MalformedDataException($"[EllipticCurve] integer of {bytes.Length} bytes exceeds {length}");
        byte[] padded = new byte[length];
        bytes.CopyTo(padded, length - bytes.Length);
        return padded;
    }

    private BigInteger Mod(BigInteger value)
    {
        BigInteger reduced = BigInteger.Remainder(value, P);
        return reduced.Sign < 0 ? reduced + P : reduced;
    }

    /// <summary>Fermat: a^(p-2) mod p, p prime.</summary>
    private BigInteger Inverse(BigInteger value) => BigInteger.ModPow(Mod(value), P - 2, P);
}
