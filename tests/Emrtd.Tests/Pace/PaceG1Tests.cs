using System.Security.Cryptography;
using System.Text;
using Kiosk.Emrtd;
using Kiosk.Emrtd.Bac;
using Kiosk.Emrtd.CardAccess;
using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.Pace;
using Kiosk.Emrtd.SecureMessaging;

namespace Emrtd.Tests.Pace;

/// <summary>ICAO 9303 Part 11 Appendix G.1: PACE-ECDH-GM-AES-128 on brainpoolP256r1 with the MRZ as password.</summary>
public class PaceG1Tests
{
    private static readonly System.Text.Json.JsonElement V = Vectors.Section("pace_ecdh_gm_aes128");
    private static readonly PaceAlgorithm Algorithm = PaceAlgorithm.EcdhGenericMappingAes128;
    private static readonly EllipticCurve Curve = StandardDomainParameters.ById(StandardDomainParameters.BrainpoolP256r1);

    private static string MrzInformationOfExample() =>
        MrzInformation.Build(V.Text("document_number"), V.Text("date_of_birth"), V.Text("date_of_expiry"));

    private static byte[] Data(string responseName) => ResponseApdu.Parse(V.Bytes(responseName)).Data;

    [Fact]
    public void Card_access_names_ecdh_gm_aes_128_on_brainpool_p256()
    {
        PaceInfo info = Assert.Single(SecurityInfos.Parse(V.Bytes("ef_card_access")).PaceInfos);
        Assert.Equal(Algorithm, info.Algorithm);
        Assert.Equal(2, info.Version);
        Assert.Equal(StandardDomainParameters.BrainpoolP256r1, info.ParameterId);
    }

    [Fact]
    public void Password_key_matches()
    {
        Assert.Equal(V.Text("k_mrz"), Hex.Of(SHA1.HashData(Encoding.ASCII.GetBytes(MrzInformationOfExample()))));
        Assert.Equal(V.Text("k_pi"), Hex.Of(PacePassword.FromMrzInformation(MrzInformationOfExample()).DeriveKeyPi(Algorithm.Cipher)));
    }

    [Fact]
    public void Every_step_matches_g1_byte_exact()
    {
        Assert.Equal(V.Text("mse_set_at"), Hex.Of(PaceSteps.MseSetAt(Algorithm, PacePasswordType.Mrz).Encode()));
        Assert.Equal(V.Text("ga_nonce_command"), Hex.Of(PaceSteps.GetEncryptedNonce().Encode()));

        byte[] z = PaceSteps.ReadDynamicAuthenticationData(Data("ga_nonce_response"), PaceSteps.TagEncryptedNonce, "nonce");
        Assert.Equal(V.Text("encrypted_nonce_z"), Hex.Of(z));
        byte[] s = PaceSteps.DecryptNonce(Algorithm.Cipher, V.Bytes("k_pi"), z);
        Assert.Equal(V.Text("nonce_s"), Hex.Of(s));

        var mapping = EcKeyPair.FromPrivateKey(Curve, EllipticCurve.ToInteger(V.Bytes("terminal_map_private_key")));
        Assert.Equal(V.Text("ga_map_command"),
            Hex.Of(PaceSteps.GeneralAuthenticate(PaceSteps.TagMappingDataTerminal, Curve.Encode(mapping.PublicKey), false).Encode()));
        EcPoint chipMapping = Curve.Decode(PaceSteps.ReadDynamicAuthenticationData(Data("ga_map_response"), PaceSteps.TagMappingDataChip, "map"));

        (EcPoint h, EllipticCurve mapped) = PaceSteps.MapGenerator(Curve, s, mapping.PrivateKey, chipMapping);
        Assert.Equal(V.Text("shared_point_h_x"), Hex.Of(Curve.Coordinate(h.X)));
        Assert.Equal(V.Text("shared_point_h_y"), Hex.Of(Curve.Coordinate(h.Y)));
        Assert.Equal(V.Text("mapped_generator_x"), Hex.Of(Curve.Coordinate(mapped.G.X)));
        Assert.Equal(V.Text("mapped_generator_y"), Hex.Of(Curve.Coordinate(mapped.G.Y)));

        var ephemeral = EcKeyPair.FromPrivateKey(mapped, EllipticCurve.ToInteger(V.Bytes("terminal_ephemeral_private_key")));
        byte[] terminalPublic = mapped.Encode(ephemeral.PublicKey);
        Assert.Equal(V.Text("ga_key_agreement_command"),
            Hex.Of(PaceSteps.GeneralAuthenticate(PaceSteps.TagEphemeralKeyTerminal, terminalPublic, false).Encode()));
        byte[] chipPublic = PaceSteps.ReadDynamicAuthenticationData(Data("ga_key_agreement_response"), PaceSteps.TagEphemeralKeyChip, "ka");

        byte[] secret = PaceSteps.SharedSecret(mapped, ephemeral, mapped.Decode(chipPublic));
        Assert.Equal(V.Text("shared_secret_x"), Hex.Of(secret));
        SessionKeys keys = PaceSteps.DeriveSessionKeys(Algorithm.Cipher, secret);
        Assert.Equal(V.Text("ks_enc"), Hex.Of(keys.Encryption));
        Assert.Equal(V.Text("ks_mac"), Hex.Of(keys.Mac));
        Assert.Equal("00000000000000000000000000000000", Hex.Of(keys.SendSequenceCounter));

        byte[] terminalToken = PaceSteps.AuthenticationToken(Algorithm, keys, chipPublic);
        Assert.Equal(V.Text("t_ifd"), Hex.Of(terminalToken));
        Assert.Equal(V.Text("ga_mutual_auth_command"),
            Hex.Of(PaceSteps.GeneralAuthenticate(PaceSteps.TagTokenTerminal, terminalToken, true).Encode()));
        byte[] chipToken = PaceSteps.ReadDynamicAuthenticationData(Data("ga_mutual_auth_response"), PaceSteps.TagTokenChip, "ma");
        Assert.Equal(V.Text("t_ic"), Hex.Of(PaceSteps.AuthenticationToken(Algorithm, keys, terminalPublic)));
        PaceSteps.VerifyToken(PaceSteps.AuthenticationToken(Algorithm, keys, terminalPublic), chipToken, "ma");
    }

    [Fact]
    public void Token_input_is_the_7f49_public_key_template()
    {
        byte[] chipPublic = PaceSteps.ReadDynamicAuthenticationData(Data("ga_key_agreement_response"), PaceSteps.TagEphemeralKeyChip, "ka");
        string template = Hex.Of(PaceSteps.PublicKeyDataObject(Algorithm, chipPublic));
        Assert.StartsWith("7F494F060A04007F000702020402028641049E88", template);
        Assert.EndsWith("F094", template);
    }

    [Fact]
    public void The_orchestrated_run_sends_the_g1_transcript()
    {
        (string Command, string Response)[] transcript =
        [
            (V.Text("mse_set_at"), "9000"),
            (V.Text("ga_nonce_command"), V.Text("ga_nonce_response")),
            (V.Text("ga_map_command"), V.Text("ga_map_response")),
            (V.Text("ga_key_agreement_command"), V.Text("ga_key_agreement_response")),
            (V.Text("ga_mutual_auth_command"), V.Text("ga_mutual_auth_response")),
        ];
        int step = 0;
        byte[] Transmit(byte[] command)
        {
            Assert.Equal(transcript[step].Command, Hex.Of(command));
            return Hex.Bytes(transcript[step++].Response);
        }
        var random = new ScriptedRandom(V.Bytes("terminal_map_private_key"), V.Bytes("terminal_ephemeral_private_key"));
        SessionKeys keys = PaceTerminal.Perform(Transmit, Algorithm, StandardDomainParameters.BrainpoolP256r1,
            PacePassword.FromMrzInformation(MrzInformationOfExample()), random.Next);
        Assert.Equal(transcript.Length, step);
        Assert.Equal(V.Text("ks_enc"), Hex.Of(keys.Encryption));
    }

    [Fact]
    public void A_wrong_chip_token_or_6300_is_a_typed_error()
    {
        string wrongToken = V.Text("ga_mutual_auth_response").Replace("3ABB9674", "3ABB9675");
        foreach (string lastResponse in new[] { wrongToken, "6300" })
        {
            string[] responses = ["9000", V.Text("ga_nonce_response"), V.Text("ga_map_response"), V.Text("ga_key_agreement_response"), lastResponse];
            int step = 0;
            var random = new ScriptedRandom(V.Bytes("terminal_map_private_key"), V.Bytes("terminal_ephemeral_private_key"));
            Assert.Throws<AuthenticationFailedException>(() => PaceTerminal.Perform(_ => Hex.Bytes(responses[step++]), Algorithm,
                StandardDomainParameters.BrainpoolP256r1, PacePassword.FromMrzInformation(MrzInformationOfExample()), random.Next));
        }
    }
}
