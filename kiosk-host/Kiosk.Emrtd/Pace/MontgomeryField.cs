using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Numerics;

namespace Kiosk.Emrtd.Pace;

/// <summary>
/// Arithmetic modulo an odd prime p in Montgomery form (x·R mod p, R = 2^(64·limbs)) on fixed 64-bit limbs, little
/// endian. The scalar multiplication of <see cref="EllipticCurve"/> runs on it: with <see cref="BigInteger"/> every
/// product was a 512-bit number followed by a division, which made one 256-bit multiplication cost milliseconds. Every
/// element handled here is fully reduced (0 ≤ x &lt; p). Not constant-time (see <see cref="EllipticCurve"/>).
/// </summary>
internal sealed class MontgomeryField
{
    private const int MaxCached = 16;
    private static readonly ConcurrentDictionary<BigInteger, MontgomeryField> Cache = new();

    private readonly ulong[] _p;
    private readonly ulong _pInverse; // −p⁻¹ mod 2^64
    private readonly ulong[] _rSquared;
    private readonly BigInteger _prime;

    public int Limbs { get; }

    /// <summary>1 in Montgomery form (R mod p). Shared: callers never change an element in place.</summary>
    public ulong[] One { get; }

    private MontgomeryField(BigInteger p)
    {
        if (p.Sign <= 0 || p.IsEven) throw new ArgumentException("the modulus must be odd and positive", nameof(p));
        _prime = p;
        Limbs = (int)((p.GetBitLength() + 63) / 64);
        _p = FromInteger(p, Limbs);
        // Newton's iteration for p[0]⁻¹ mod 2^64: each step doubles the correct low bits (3 → 6 → … → 96).
        ulong inverse = _p[0];
        for (int i = 0; i < 5; i++) inverse *= 2 - _p[0] * inverse;
        _pInverse = 0 - inverse;
        _rSquared = FromInteger(BigInteger.ModPow(2, 128 * Limbs, p), Limbs);
        One = FromInteger(BigInteger.ModPow(2, 64 * Limbs, p), Limbs);
    }

    /// <summary>The field of p; the few curves a kiosk meets are kept, any others (explicit parameters) are built anew.</summary>
    public static MontgomeryField For(BigInteger p)
    {
        if (Cache.TryGetValue(p, out var field)) return field;
        field = new MontgomeryField(p);
        if (Cache.Count < MaxCached) Cache.TryAdd(p, field);
        return field;
    }

    /// <summary>x (0 ≤ x &lt; p) into Montgomery form.</summary>
    public ulong[] ToMontgomery(BigInteger x) => Multiply(FromInteger(x, Limbs), _rSquared);

    public BigInteger ToInteger(ulong[] montgomery)
    {
        ulong[] one = new ulong[Limbs];
        one[0] = 1;
        ulong[] plain = Multiply(montgomery, one);
        var bytes = new byte[Limbs * 8];
        for (int i = 0; i < Limbs; i++) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(i * 8), plain[i]);
        return new BigInteger(bytes, isUnsigned: true, isBigEndian: false);
    }

    public static bool IsZero(ulong[] x)
    {
        foreach (ulong limb in x) if (limb != 0) return false;
        return true;
    }

    public ulong[] Zero() => new ulong[Limbs];

    /// <summary>
    /// The inverse of a non-zero element (Fermat: x^(p−2), p prime), in Montgomery form: square-and-multiply with a
    /// 4-bit window on this field's multiplication, many times faster than <see cref="BigInteger.ModPow"/>.
    /// </summary>
    public ulong[] Inverse(ulong[] montgomery)
    {
        var powers = new ulong[16][];
        powers[0] = One;
        for (int i = 1; i < 16; i++) powers[i] = Multiply(powers[i - 1], montgomery);
        BigInteger exponent = _prime - 2;
        ulong[] result = One;
        for (long nibble = ((long)exponent.GetBitLength() + 3) / 4 - 1; nibble >= 0; nibble--)
        {
            for (int k = 0; k < 4; k++) result = Square(result);
            int digit = (int)((exponent >> (int)(4 * nibble)) & 0xF);
            if (digit != 0) result = Multiply(result, powers[digit]);
        }
        return result;
    }

    /// <summary>a·b·R⁻¹ mod p (CIOS: multiply and reduce word by word).</summary>
    public ulong[] Multiply(ulong[] a, ulong[] b)
    {
        int n = Limbs;
        Span<ulong> t = stackalloc ulong[n + 2];
        t.Clear();
        for (int i = 0; i < n; i++)
        {
            ulong carry = 0;
            ulong bi = b[i];
            for (int j = 0; j < n; j++) t[j] = MultiplyAdd(a[j], bi, t[j], ref carry);
            ulong top = t[n] + carry;
            t[n + 1] = top < carry ? 1UL : 0UL;
            t[n] = top;

            ulong m = t[0] * _pInverse;
            carry = 0;
            MultiplyAdd(m, _p[0], t[0], ref carry); // the low word is zero by the choice of m
            for (int j = 1; j < n; j++) t[j - 1] = MultiplyAdd(m, _p[j], t[j], ref carry);
            top = t[n] + carry;
            t[n - 1] = top;
            t[n] = t[n + 1] + (top < carry ? 1UL : 0UL);
        }
        ulong[] result = t[..n].ToArray();
        if (t[n] != 0 || !Less(result, _p)) SubtractInPlace(result, _p);
        return result;
    }

    public ulong[] Square(ulong[] a) => Multiply(a, a);

    /// <summary>x·y + add + carry as two words: returns the low one, leaves the high one in carry (never overflows).</summary>
    private static ulong MultiplyAdd(ulong x, ulong y, ulong add, ref ulong carry)
    {
        ulong high = Math.BigMul(x, y, out ulong low);
        low += add;
        if (low < add) high++;
        low += carry;
        if (low < carry) high++;
        carry = high;
        return low;
    }

    public ulong[] Add(ulong[] a, ulong[] b)
    {
        int n = Limbs;
        ulong[] result = new ulong[n];
        ulong carry = 0;
        for (int i = 0; i < n; i++)
        {
            UInt128 sum = (UInt128)a[i] + b[i] + carry;
            result[i] = (ulong)sum;
            carry = (ulong)(sum >> 64);
        }
        if (carry != 0 || !Less(result, _p)) SubtractInPlace(result, _p);
        return result;
    }

    public ulong[] Subtract(ulong[] a, ulong[] b)
    {
        int n = Limbs;
        ulong[] result = new ulong[n];
        ulong borrow = 0;
        for (int i = 0; i < n; i++)
        {
            ulong difference = a[i] - b[i] - borrow;
            borrow = (a[i] < b[i] || (a[i] == b[i] && borrow != 0)) ? 1UL : 0UL;
            result[i] = difference;
        }
        if (borrow != 0) AddInPlace(result, _p);
        return result;
    }

    private static bool Less(ulong[] a, ulong[] b)
    {
        for (int i = a.Length - 1; i >= 0; i--)
            if (a[i] != b[i]) return a[i] < b[i];
        return false;
    }

    /// <summary>a −= b, ignoring the final borrow (the caller knows the true result is in range).</summary>
    private static void SubtractInPlace(ulong[] a, ulong[] b)
    {
        ulong borrow = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ulong ai = a[i];
            a[i] = ai - b[i] - borrow;
            borrow = (ai < b[i] || (ai == b[i] && borrow != 0)) ? 1UL : 0UL;
        }
    }

    /// <summary>a += b, ignoring the final carry (it cancels the borrow of the subtraction being corrected).</summary>
    private static void AddInPlace(ulong[] a, ulong[] b)
    {
        ulong carry = 0;
        for (int i = 0; i < a.Length; i++)
        {
            UInt128 sum = (UInt128)a[i] + b[i] + carry;
            a[i] = (ulong)sum;
            carry = (ulong)(sum >> 64);
        }
    }

    private static ulong[] FromInteger(BigInteger value, int limbs)
    {
        if (value.Sign < 0) throw new ArgumentOutOfRangeException(nameof(value));
        byte[] bytes = value.ToByteArray(isUnsigned: true, isBigEndian: false);
        if (bytes.Length > limbs * 8) throw new ArgumentOutOfRangeException(nameof(value));
        var padded = new byte[limbs * 8];
        bytes.CopyTo(padded, 0);
        var result = new ulong[limbs];
        for (int i = 0; i < limbs; i++) result[i] = BinaryPrimitives.ReadUInt64LittleEndian(padded.AsSpan(i * 8));
        return result;
    }
}
