using Kiosk.Emrtd;
using Kiosk.Emrtd.Bac;
using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.SecureMessaging;

namespace Emrtd.Tests.Bac;

public class BacTests
{
    private static BacKeys DocumentKeys()
    {
        var v = Vectors.Section("bac_key_derivation");
        return BacKeys.FromMrzInformation(v.Text("mrz_information"));
    }

    [Fact]
    public void Mutual_authentication_replays_d3_byte_exact()
    {
        var v = Vectors.Section("bac_mutual_authentication");
        Assert.Equal(v.Text("get_challenge"), Hex.Of(BacTerminal.GetChallenge().Encode()));
        byte[] randomIc = BacTerminal.ParseChallenge(ResponseApdu.Parse([.. v.Bytes("rnd_ic"), 0x90, 0x00]));

        var random = new ScriptedRandom(v.Bytes("rnd_ifd"), v.Bytes("k_ifd"));
        BacChallenge challenge = BacTerminal.BuildExternalAuthenticate(DocumentKeys(), randomIc, random.Next);
        Assert.Equal(v.Text("external_authenticate"), Hex.Of(challenge.Command.Encode()));
        Assert.Equal(v.Text("e_ifd") + v.Text("m_ifd"), Hex.Of(challenge.Command.Data));

        SessionKeys keys = BacTerminal.ProcessExternalAuthenticate(DocumentKeys(), challenge,
            ResponseApdu.Parse([.. v.Bytes("response_data"), 0x90, 0x00]));
        Assert.Equal(v.Text("ks_enc"), Hex.Of(keys.Encryption));
        Assert.Equal(v.Text("ks_mac"), Hex.Of(keys.Mac));
        Assert.Equal(v.Text("ssc"), Hex.Of(keys.SendSequenceCounter));
    }

    [Fact]
    public void The_card_side_answers_d3_byte_exact()
    {
        var v = Vectors.Section("bac_mutual_authentication");
        var random = new ScriptedRandom(v.Bytes("k_ic"));
        (byte[] response, SessionKeys keys) = BacChip.AnswerExternalAuthenticate(DocumentKeys(), v.Bytes("rnd_ic"),
            v.Bytes("e_ifd").Concat(v.Bytes("m_ifd")).ToArray(), random.Next);
        Assert.Equal(v.Text("response_data"), Hex.Of(response));
        Assert.Equal(v.Text("ks_enc"), Hex.Of(keys.Encryption));
        Assert.Equal(v.Text("ssc"), Hex.Of(keys.SendSequenceCounter));
    }

    [Fact]
    public void A_wrong_mrz_fails_with_a_typed_error()
    {
        var v = Vectors.Section("bac_mutual_authentication");
        BacKeys wrong = BacKeys.FromMrzInformation(MrzInformation.Build("L898902C<", "690806", "940624"));
        var random = new ScriptedRandom(v.Bytes("rnd_ifd"), v.Bytes("k_ifd"));
        BacChallenge challenge = BacTerminal.BuildExternalAuthenticate(wrong, v.Bytes("rnd_ic"), random.Next);
        Assert.Throws<AuthenticationFailedException>(() => BacTerminal.ProcessExternalAuthenticate(wrong, challenge,
            ResponseApdu.Parse([.. v.Bytes("response_data"), 0x90, 0x00])));
        Assert.Throws<AuthenticationFailedException>(() => BacChip.AnswerExternalAuthenticate(DocumentKeys(), v.Bytes("rnd_ic"),
            challenge.Command.Data, new ScriptedRandom().Next));
        Assert.Throws<AuthenticationFailedException>(() => BacTerminal.ProcessExternalAuthenticate(DocumentKeys(), challenge,
            ResponseApdu.Status(0x6300)));
    }
}
