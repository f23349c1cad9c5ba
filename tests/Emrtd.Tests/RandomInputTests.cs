using CsCheck;
using Kiosk.Emrtd;
using Kiosk.Emrtd.Bac;
using Kiosk.Emrtd.CardAccess;
using Kiosk.Emrtd.Crypto;
using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.Pace;
using Kiosk.Emrtd.SecureMessaging;

namespace Emrtd.Tests;

/// <summary>
/// A broken or malicious chip must only ever cause an <see cref="EmrtdException"/> or a result: never another
/// exception type, never a hang. Random bytes, and valid messages with one byte changed, go to every parser and unwrapper.
/// </summary>
public class RandomInputTests
{
    private const long Iterations = 3000;
    private static readonly Gen<byte[]> AnyBytes = Gen.Byte.Array[0, 300];

    private static void OnlyTypedErrors(Action action)
    {
        try { action(); }
        catch (EmrtdException) { }
    }

    private static void Check(Gen<byte[]> gen, Action<byte[]> parser) =>
        gen.Sample(bytes => OnlyTypedErrors(() => parser(bytes)), iter: Iterations, threads: 1);

    /// <summary>A valid message with one byte replaced, so the parser gets past its first checks.</summary>
    private static Gen<byte[]> Mutated(byte[] valid) =>
        Gen.Select(Gen.Int[0, valid.Length - 1], Gen.Byte, (index, value) =>
        {
            byte[] copy = valid.ToArray();
            copy[index] = value;
            return copy;
        });

    private static SessionKeys D4Keys()
    {
        var v = Vectors.Section("secure_messaging_3des");
        return new SessionKeys(CipherKind.TripleDes, v.Bytes("ks_enc"), v.Bytes("ks_mac"), v.Bytes("ssc_start"));
    }

    [Fact]
    public void Apdu_and_tlv_parsers()
    {
        Check(AnyBytes, bytes => CommandApdu.Parse(bytes));
        Check(AnyBytes, bytes => ResponseApdu.Parse(bytes));
        Check(AnyBytes, bytes => BerTlv.ParseAll(bytes));
        Check(AnyBytes, bytes => PaceSteps.ReadDynamicAuthenticationData(bytes, PaceSteps.TagEncryptedNonce, "fuzz"));
    }

    [Fact]
    public void Security_infos_parser()
    {
        Check(AnyBytes, bytes => SecurityInfos.Parse(bytes));
        Check(Mutated(Convert.FromHexString(Vectors.Section("vietnam_cccd_ef_card_access").GetString()!)), bytes => SecurityInfos.Parse(bytes));
    }

    [Fact]
    public void Point_decoding()
    {
        EllipticCurve curve = StandardDomainParameters.ById(StandardDomainParameters.BrainpoolP256r1);
        Check(Gen.Byte.Array[65], bytes => curve.Decode(bytes));
        Check(Mutated(curve.Encode(curve.G)), bytes => curve.Decode(bytes));
    }

    [Fact]
    public void Secure_messaging_unwrappers()
    {
        var exchanges = Vectors.Section("secure_messaging_3des").GetProperty("exchanges");
        Check(AnyBytes, bytes => D4Keys().StartSession().UnwrapResponse(bytes));
        Check(AnyBytes, bytes => D4Keys().StartSession().UnwrapCommand(bytes));
        Check(Mutated(exchanges[2].Bytes("protected_response")), bytes =>
        {
            var session = D4Keys().StartSession();
            session.WrapCommand(CommandApdu.Parse(exchanges[0].Bytes("plain_command")));
            session.UnwrapResponse(exchanges[0].Bytes("protected_response"));
            session.WrapCommand(CommandApdu.Parse(exchanges[1].Bytes("plain_command")));
            session.UnwrapResponse(exchanges[1].Bytes("protected_response"));
            session.WrapCommand(CommandApdu.Parse(exchanges[2].Bytes("plain_command")));
            session.UnwrapResponse(bytes);
        });
        Check(Mutated(exchanges[0].Bytes("protected_command")), bytes => D4Keys().StartSession().UnwrapCommand(bytes));
        var aes = new SessionKeys(CipherKind.Aes128, new byte[16].Select((_, i) => (byte)(i + 1)).ToArray(),
            new byte[16].Select((_, i) => (byte)(i + 2)).ToArray(), new byte[16]);
        Check(AnyBytes, bytes => aes.StartSession().UnwrapResponse(bytes));
    }

    [Fact]
    public void Bac_answers()
    {
        var v = Vectors.Section("bac_mutual_authentication");
        BacKeys keys = BacKeys.FromMrzInformation(Vectors.Section("bac_key_derivation").Text("mrz_information"));
        var challenge = new BacChallenge(BacTerminal.GetChallenge(), v.Bytes("rnd_ic"), v.Bytes("rnd_ifd"), v.Bytes("k_ifd"));
        Check(AnyBytes, bytes => BacTerminal.ProcessExternalAuthenticate(keys, challenge, ResponseApdu.Parse(bytes)));
        Check(Mutated([.. v.Bytes("response_data"), 0x90, 0x00]), bytes =>
            BacTerminal.ProcessExternalAuthenticate(keys, challenge, ResponseApdu.Parse(bytes)));
        Check(AnyBytes, bytes => BacChip.AnswerExternalAuthenticate(keys, v.Bytes("rnd_ic"), bytes, count => new byte[count]));
    }

    [Fact]
    public void Pace_against_a_card_that_answers_noise()
    {
        var v = Vectors.Section("pace_ecdh_gm_aes128");
        string[] genuine = ["9000", v.Text("ga_nonce_response"), v.Text("ga_map_response"), v.Text("ga_key_agreement_response"), v.Text("ga_mutual_auth_response")];
        // Which step gets the noise, and the noise itself; the steps before it get the genuine answers.
        Gen.Select(Gen.Int[0, genuine.Length - 1], AnyBytes).Sample((noisyStep, noise) =>
        {
            int step = 0;
            var random = new ScriptedRandom(v.Bytes("terminal_map_private_key"), v.Bytes("terminal_ephemeral_private_key"));
            OnlyTypedErrors(() => PaceTerminal.Perform(
                _ => step == noisyStep ? noise : Convert.FromHexString(genuine[step++]),
                PaceAlgorithm.EcdhGenericMappingAes128, StandardDomainParameters.BrainpoolP256r1,
                PacePassword.FromMrzInformation(MrzInformation.Build(v.Text("document_number"), v.Text("date_of_birth"), v.Text("date_of_expiry"))),
                random.Next));
        }, iter: 300, threads: 1);
    }
}
