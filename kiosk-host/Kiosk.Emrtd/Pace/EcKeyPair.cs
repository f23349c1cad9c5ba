using System.Numerics;

namespace Kiosk.Emrtd.Pace;

/// <summary>An ephemeral key pair: private scalar d in [1, n-1] and public point d·G of the curve it was made on.</summary>
public sealed record EcKeyPair(BigInteger PrivateKey, EcPoint PublicKey)
{
    private const int MaxDraws = 100;

    /// <summary>
    /// Draws bytes of the order's length, clears the bits above n's bit length and retries until 1 ≤ d &lt; n, so the
    /// first draw of a worked example is taken as it is.
    /// </summary>
    public static EcKeyPair Generate(EllipticCurve curve, RandomBytes random)
    {
        int excessBits = curve.OrderLength * 8 - (int)curve.N.GetBitLength();
        for (int draw = 0; draw < MaxDraws; draw++)
        {
            byte[] bytes = random(curve.OrderLength);
            if (bytes.Length != curve.OrderLength) throw new MalformedDataException("[EcKeyPair] the random source returned a wrong length");
            bytes[0] &= (byte)(0xFF >> excessBits);
            BigInteger candidate = EllipticCurve.ToInteger(bytes);
            if (candidate.Sign > 0 && candidate < curve.N) return FromPrivateKey(curve, candidate);
        }
        throw new MalformedDataException($"[EcKeyPair] no private key in range after {MaxDraws} draws");
    }

    public static EcKeyPair FromPrivateKey(EllipticCurve curve, BigInteger privateKey) => new(privateKey, curve.Multiply(privateKey, curve.G));

    public override string ToString() => "EcKeyPair { … }";
}
