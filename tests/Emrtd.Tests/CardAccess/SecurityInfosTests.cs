using Kiosk.Emrtd;
using Kiosk.Emrtd.CardAccess;
using Kiosk.Emrtd.Crypto;
using Kiosk.Emrtd.Pace;

namespace Emrtd.Tests.CardAccess;

public class SecurityInfosTests
{
    [Fact]
    public void The_vietnamese_card_access_parses()
    {
        SecurityInfos infos = SecurityInfos.Parse(Convert.FromHexString(Vectors.Section("vietnam_cccd_ef_card_access").GetString()!));
        TerminalAuthenticationInfo terminal = Assert.Single(infos.TerminalAuthenticationInfos);
        Assert.Equal("0.4.0.127.0.7.2.2.2", terminal.Oid);
        Assert.Equal(1, terminal.Version);
        ChipAuthenticationInfo chip = Assert.Single(infos.ChipAuthenticationInfos);
        // The bytes say id-CA-ECDH-AES-CBC-CMAC-128 (…3.2.2), although emrtd.md §3.1 calls it id-CA-ECDH-3DES-CBC-CBC.
        Assert.Equal("0.4.0.127.0.7.2.2.3.2.2", chip.Oid);
        Assert.Equal(1, chip.Version);
        Assert.Null(chip.KeyId);
        PaceInfo pace = Assert.Single(infos.PaceInfos);
        Assert.Equal(PaceAlgorithm.EcdhGenericMappingAes128, pace.Algorithm);
        Assert.Equal(CipherKind.Aes128, pace.Algorithm!.Cipher);
        Assert.Equal(2, pace.Version);
        Assert.Equal(StandardDomainParameters.BrainpoolP256r1, pace.ParameterId);
        Assert.Same(pace, infos.PreferredPace);
        Assert.Empty(infos.OtherProtocols);
    }

    [Theory]
    [InlineData("0.4.0.127.0.7.2.2.4.2.1", PaceMapping.Generic, CipherKind.TripleDes)]
    [InlineData("0.4.0.127.0.7.2.2.4.2.4", PaceMapping.Generic, CipherKind.Aes256)]
    [InlineData("0.4.0.127.0.7.2.2.4.4.3", PaceMapping.Integrated, CipherKind.Aes192)]
    [InlineData("0.4.0.127.0.7.2.2.4.6.2", PaceMapping.ChipAuthentication, CipherKind.Aes128)]
    public void Pace_oids_map_to_their_algorithm(string oid, PaceMapping mapping, CipherKind cipher)
    {
        PaceAlgorithm algorithm = PaceAlgorithm.FromOid(oid)!;
        Assert.Equal(mapping, algorithm.Mapping);
        Assert.Equal(cipher, algorithm.Cipher);
        Assert.Null(PaceAlgorithm.FromOid("0.4.0.127.0.7.2.2.4.6.1")); // CAM has no 3DES
        Assert.Null(PaceAlgorithm.FromOid("0.4.0.127.0.7.2.2.4.2")); // domain parameter info, not a protocol
    }

    [Fact]
    public void Unknown_infos_are_kept_by_oid_and_broken_bytes_are_typed_errors()
    {
        // SET { SEQUENCE { OID 1.2.3, INTEGER 1 } }
        SecurityInfos infos = SecurityInfos.Parse(Convert.FromHexString("3109300706022A03020101"));
        Assert.Equal(["1.2.3"], infos.OtherProtocols);
        Assert.Null(infos.PreferredPace);
        Assert.Throws<MalformedDataException>(() => SecurityInfos.Parse(Convert.FromHexString("3109300706022A030201")));
        Assert.Throws<MalformedDataException>(() => SecurityInfos.Parse([]));
        Assert.Throws<MalformedDataException>(() => SecurityInfos.Parse(Convert.FromHexString("3000FF")));
    }
}
