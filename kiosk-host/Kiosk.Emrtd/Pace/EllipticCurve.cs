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
    /// (x = X/Z², y = Y/Z³) so only the final conversion needs a field inversion: a PACE run takes milliseconds.
    /// </summary>
    public EcPoint Multiply(BigInteger scalar, EcPoint point)
    {
        if (scalar.Sign < 0) return Multiply(-scalar, Negate(point));
        if (point.IsInfinity || scalar.IsZero) return EcPoint.Infinity;
        var result = (X: BigInteger.One, Y: BigInteger.One, Z: BigInteger.Zero);
        for (long bit = (long)scalar.GetBitLength() - 1; bit >= 0; bit--)
        {
            result = JacobianDouble(result);
            if (!(scalar >> (int)bit).IsEven) result = JacobianAddAffine(result, point);
        }
        if (result.Z.IsZero) return EcPoint.Infinity;
        BigInteger zInverse = Inverse(result.Z), zInverseSquared = Mod(zInverse * zInverse);
        return new EcPoint(Mod(result.X * zInverseSquared), Mod(result.Y * zInverseSquared * zInverse));
    }

    private (BigInteger X, BigInteger Y, BigInteger Z) JacobianDouble((BigInteger X, BigInteger Y, BigInteger Z) point)
    {
        if (point.Z.IsZero || point.Y.IsZero) return (BigInteger.One, BigInteger.One, BigInteger.Zero);
        BigInteger ySquared = Mod(point.Y * point.Y);
        BigInteger s = Mod(4 * point.X * ySquared);
        BigInteger zSquared = Mod(point.Z * point.Z);
        BigInteger m = Mod(3 * point.X * point.X + A * zSquared * zSquared);
        BigInteger x = Mod(m * m - 2 * s);
        BigInteger y = Mod(m * (s - x) - 8 * ySquared * ySquared);
        return (x, y, Mod(2 * point.Y * point.Z));
    }

    private (BigInteger X, BigInteger Y, BigInteger Z) JacobianAddAffine((BigInteger X, BigInteger Y, BigInteger Z) first, EcPoint second)
    {
        if (first.Z.IsZero) return (second.X, second.Y, BigInteger.One);
        BigInteger zSquared = Mod(first.Z * first.Z);
        BigInteger u = Mod(second.X * zSquared);
        BigInteger v = Mod(second.Y * zSquared * first.Z);
        BigInteger h = Mod(u - first.X), r = Mod(v - first.Y);
        if (h.IsZero) return r.IsZero ? JacobianDouble(first) : (BigInteger.One, BigInteger.One, BigInteger.Zero);
        BigInteger hSquared = Mod(h * h), hCubed = Mod(hSquared * h), w = Mod(first.X * hSquared);
        BigInteger x = Mod(r * r - hCubed - 2 * w);
        BigInteger y = Mod(r * (w - x) - first.Y * hCubed);
        return (x, y, Mod(first.Z * h));
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
