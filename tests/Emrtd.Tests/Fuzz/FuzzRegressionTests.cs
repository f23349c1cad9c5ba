using Kiosk.Emrtd;
using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.Lds;
using Kiosk.Emrtd.PassiveAuthentication;

namespace Emrtd.Tests.Fuzz;

/// <summary>
/// What fuzzing the parsers turned up (FuzzCorpus/TARGET/regressions, tests/Fuzz/README.md), each pinned to the typed
/// error it must now give, and the bounds on time and memory that a hostile length or size must not break.
/// </summary>
public class FuzzRegressionTests
{
    private static byte[] Regression(string target, string name) =>
        File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "FuzzCorpus", target, "regressions", name));

    /// <summary>
    /// A document-signer certificate whose explicit EC parameters give a 12000-bit order over a 256-bit field. Before the
    /// fix the key parsed, and checking one ECDSA signature with it (a SOD signature, on a real read) took 13 s of
    /// arithmetic modulo n; 64 KB of order would take hours. Hasse's bound now refuses the parameters when the key is read.
    /// </summary>
    [Fact]
    public void Ec_order_longer_than_the_field_is_refused_before_any_signature_check()
    {
        byte[] der = Regression("asn1", "certificate-ec-order-12000-bits");
        Certificate certificate = Certificate.Parse(der);
        var error = Assert.Throws<MalformedDataException>(() => Bounded.Run(() => certificate.PublicKey()));
        Assert.Contains("[ECParameters]", error.Message);
    }

    /// <summary>
    /// The same key in the document-signer certificate of an EF.SOD: the chip supplies it, and passive authentication
    /// checks the SOD signature with it before any chain to a CSCA, so this was a card that could stall a read.
    /// </summary>
    [Fact]
    public void Sod_signed_under_an_ec_order_longer_than_the_field_is_invalid_not_slow()
    {
        byte[] sod = Regression("datagroups", "ef-sod-signer-ec-order-12000-bits");
        PassiveAuthenticationResult? result = null;
        Bounded.Run(() => result = PassiveAuthenticator.Verify(sod, new Dictionary<int, byte[]>(), CscaTrustStore.Empty(),
            new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero)));
        Assert.Equal(PassiveAuthenticationStatus.Invalid, result!.Status);
        Assert.Contains(result.Failures, failure => failure.Contains("[ECParameters]"));
    }

    [Theory]
    [InlineData("77 83 FF FF FF 30")]      // 16 MB claimed, one byte present
    [InlineData("6D 84 7F FF FF FF 30")]   // 2^31 - 1 claimed: a length form the parser does not take
    [InlineData("30 84 7F FF FF FF 02 01 00")]
    public void Huge_length_fields_are_refused_without_allocating_the_claimed_length(string hex)
    {
        byte[] input = Hex.Bytes(hex);
        foreach (string target in new[] { "tlv", "asn1", "datagroups", "cardaccess" })
        {
            long allocated = Bounded.Run(() => Kiosk.Emrtd.Fuzz.FuzzTargets.Run(target, input));
            Assert.True(allocated < 1024 * 1024, $"{target}: {allocated} bytes allocated for a {input.Length}-byte input");
        }
        Assert.Throws<MalformedDataException>(() => BerTlv.ParseAll(input));
    }

    [Fact]
    public void A_header_with_a_two_gigabyte_length_is_read_without_reading_the_value()
    {
        byte[] header = Hex.Bytes("77 84 7F FF FF FF");
        long allocated = Bounded.Run(() =>
        {
            Assert.True(BerTlv.TryReadHeader(header, out int tag, out int headerLength, out int valueLength));
            Assert.Equal((0x77, 6, int.MaxValue), (tag, headerLength, valueLength));
        });
        Assert.True(allocated < 64 * 1024, $"{allocated} bytes allocated");
        Assert.Throws<MalformedDataException>(() => EfSod.Parse(header));
    }
}
