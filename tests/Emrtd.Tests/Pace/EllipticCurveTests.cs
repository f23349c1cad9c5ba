using System.Numerics;
using Kiosk.Emrtd;
using Kiosk.Emrtd.Pace;

namespace Emrtd.Tests.Pace;

public class EllipticCurveTests
{
    public static TheoryData<int> CurveIds => [.. StandardDomainParameters.SupportedIds];

    [Theory]
    [MemberData(nameof(CurveIds))]
    public void Generator_is_on_the_curve_and_has_order_n(int parameterId)
    {
        EllipticCurve curve = StandardDomainParameters.ById(parameterId);
        Assert.True(curve.IsOnCurve(curve.G));
        Assert.True(curve.Multiply(curve.N, curve.G).IsInfinity);
        Assert.Equal(curve.Negate(curve.G), curve.Multiply(curve.N - 1, curve.G));
    }

    [Theory]
    [MemberData(nameof(CurveIds))]
    public void Scalar_multiplication_commutes_and_encoding_round_trips(int parameterId)
    {
        EllipticCurve curve = StandardDomainParameters.ById(parameterId);
        BigInteger a = BigInteger.Parse("123456789012345678901234567890"), b = BigInteger.Parse("987654321098765432109876543210");
        EcPoint left = curve.Multiply(a, curve.Multiply(b, curve.G));
        EcPoint right = curve.Multiply(b, curve.Multiply(a, curve.G));
        Assert.Equal(left, right);
        Assert.Equal(curve.Multiply(a + b, curve.G), curve.Add(curve.Multiply(a, curve.G), curve.Multiply(b, curve.G)));
        Assert.Equal(curve.Double(curve.G), curve.Add(curve.G, curve.G));
        Assert.True(curve.Add(curve.G, curve.Negate(curve.G)).IsInfinity);
        Assert.Equal(left, curve.Decode(curve.Encode(left)));
        Assert.Equal(1 + 2 * curve.FieldLength, curve.Encode(left).Length);
    }

    /// <summary>
    /// The Montgomery-limb scalar multiplication against the plain affine formulas (BigInteger, one inversion per step):
    /// two independent implementations must agree on every curve (4 to 9 limbs), for scalars around the edges too.
    /// </summary>
    [Theory]
    [MemberData(nameof(CurveIds))]
    public void Scalar_multiplication_agrees_with_affine_double_and_add(int parameterId)
    {
        EllipticCurve curve = StandardDomainParameters.ById(parameterId);
        var random = new Random(parameterId);
        EcPoint other = curve.Multiply(7, curve.G);
        var scalars = new List<BigInteger> { 1, 2, 3, 16, curve.N - 1, curve.N + 1 };
        for (int i = 0; i < 2; i++)
        {
            byte[] bytes = new byte[curve.OrderLength];
            random.NextBytes(bytes);
            scalars.Add(EllipticCurve.ToInteger(bytes));
        }
        foreach (BigInteger k in scalars)
        {
            Assert.Equal(AffineMultiply(curve, k, curve.G), curve.Multiply(k, curve.G));
            Assert.Equal(AffineMultiply(curve, k, other), curve.Multiply(k, other));
        }
        Assert.Equal(curve.Negate(AffineMultiply(curve, 5, other)), curve.Multiply(-5, other));
        Assert.True(curve.Multiply(0, other).IsInfinity);
    }

    private static EcPoint AffineMultiply(EllipticCurve curve, BigInteger k, EcPoint point)
    {
        EcPoint result = EcPoint.Infinity;
        for (long bit = (long)k.GetBitLength() - 1; bit >= 0; bit--)
        {
            result = curve.Double(result);
            if (!((k >> (int)bit) & 1).IsZero) result = curve.Add(result, point);
        }
        return result;
    }

    [Fact]
    public void Points_off_the_curve_or_badly_encoded_are_rejected()
    {
        EllipticCurve curve = StandardDomainParameters.ById(StandardDomainParameters.BrainpoolP256r1);
        byte[] encoded = curve.Encode(curve.G);
        encoded[^1] ^= 0x01;
        Assert.Throws<InvalidPointException>(() => curve.Decode(encoded));
        Assert.Throws<InvalidPointException>(() => curve.Decode(encoded[..^1]));
        byte[] compressed = curve.Encode(curve.G);
        compressed[0] = 0x02;
        Assert.Throws<InvalidPointException>(() => curve.Decode(compressed));
        Assert.Throws<InvalidPointException>(() => curve.Encode(EcPoint.Infinity));
        Assert.Throws<InvalidPointException>(() => curve.WithGenerator(new EcPoint(1, 1)));
        Assert.Throws<UnsupportedProtocolException>(() => StandardDomainParameters.ById(9));
    }

    [Fact]
    public void Key_generation_takes_an_in_range_draw_as_it_is_and_retries_otherwise()
    {
        EllipticCurve curve = StandardDomainParameters.ById(StandardDomainParameters.BrainpoolP256r1);
        byte[] tooLarge = curve.N.ToByteArray(isUnsigned: true, isBigEndian: true);
        byte[] one = new byte[32];
        one[^1] = 1;
        var random = new ScriptedRandom(tooLarge, new byte[32], one);
        EcKeyPair pair = EcKeyPair.Generate(curve, random.Next);
        Assert.Equal(BigInteger.One, pair.PrivateKey);
        Assert.Equal(curve.G, pair.PublicKey);
    }
}
