using Kiosk.Emrtd;
using Kiosk.Emrtd.Bac;
using Kiosk.Emrtd.Crypto;

namespace Emrtd.Tests.Crypto;

public class CryptoTests
{
    [Fact]
    public void Mrz_check_digits_match_part_3()
    {
        foreach (var example in Vectors.Section("mrz_check_digits").EnumerateArray())
            Assert.Equal(example.Text("check")[0], MrzInformation.CheckDigit(example.Text("input")));
    }

    [Fact]
    public void Bac_key_derivation_matches_d2()
    {
        var v = Vectors.Section("bac_key_derivation");
        string mrzInformation = MrzInformation.Build(v.Text("document_number"), v.Text("date_of_birth"), v.Text("date_of_expiry"));
        Assert.Equal(v.Text("mrz_information"), mrzInformation);
        BacKeys keys = BacKeys.FromMrzInformation(mrzInformation);
        Assert.Equal(v.Text("k_seed"), Hex.Of(keys.Seed));
        Assert.Equal(v.Text("k_enc"), Hex.Of(keys.Encryption));
        Assert.Equal(v.Text("k_mac"), Hex.Of(keys.Mac));
    }

    [Fact]
    public void Parity_adjustment_matches_d2()
    {
        var v = Vectors.Section("bac_key_derivation");
        Assert.Equal(v.Text("k_enc"), Hex.Of(DesParity.Adjust(v.Bytes("k_enc_raw"))));
        Assert.Equal(v.Text("k_mac"), Hex.Of(DesParity.Adjust(v.Bytes("k_mac_raw"))));
    }

    [Fact]
    public void Long_document_numbers_are_used_in_full()
    {
        Assert.Equal("D23145890734934071279507122", MrzInformation.Build("D23145890734", "340712", "950712"));
    }

    [Fact]
    public void Kdf_uses_sha256_for_aes_256_and_sha1_for_aes_128()
    {
        byte[] secret = Hex.Bytes("28768D20701247DAE81804C9E780EDE582A9996DB4A315020B2733197DB84925");
        Assert.Equal("F5F0E35C0D7161EE6724EE513A0D9A7F", Hex.Of(KeyDerivation.Derive(secret, 1, CipherKind.Aes128)));
        byte[] sha256 = System.Security.Cryptography.SHA256.HashData([.. secret, 0, 0, 0, 1]);
        Assert.Equal(Hex.Of(sha256), Hex.Of(KeyDerivation.Derive(secret, 1, CipherKind.Aes256)));
        Assert.Equal(Hex.Of(sha256[..24]), Hex.Of(KeyDerivation.Derive(secret, 1, CipherKind.Aes192)));
    }

    [Theory]
    // RFC 4493 §4, AES-128 examples 1 (empty), 2 (one block) and 3 (40 bytes).
    [InlineData("", "BB1D6929E95937287FA37D129B756746")]
    [InlineData("6BC1BEE22E409F96E93D7E117393172A", "070A16B46B4D4144F79BDD9DD04A287C")]
    [InlineData("6BC1BEE22E409F96E93D7E117393172AAE2D8A571E03AC9C9EB76FAC45AF8E5130C81C46A35CE411", "DFA66747DE9AE63030CA32611497C827")]
    public void Aes_cmac_matches_rfc_4493(string message, string tag)
    {
        byte[] key = Hex.Bytes("2B7E151628AED2A6ABF7158809CF4F3C");
        Assert.Equal(tag, Hex.Of(AesCmac.Compute(key, Hex.Bytes(message))));
    }

    [Fact]
    public void Retail_mac_matches_d3()
    {
        var v = Vectors.Section("bac_mutual_authentication");
        byte[] kMac = Vectors.Section("bac_key_derivation").Bytes("k_mac");
        Assert.Equal(v.Text("m_ifd"), Hex.Of(RetailMac.Compute(kMac, v.Bytes("e_ifd"))));
    }

    [Fact]
    public void Padding_round_trips_and_rejects_a_missing_marker()
    {
        Assert.Equal("011E800000000000", Hex.Of(Padding.Pad(Hex.Bytes("011E"), 8)));
        Assert.Equal("0102030405060708" + "8000000000000000", Hex.Of(Padding.Pad(Hex.Bytes("0102030405060708"), 8)));
        Assert.Equal("011E", Hex.Of(Padding.Unpad(Hex.Bytes("011E800000000000"))));
        Assert.Throws<MalformedDataException>(() => Padding.Unpad(Hex.Bytes("011E000000000000")));
    }
}
