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
