using System.Security.Cryptography;
using Kiosk.Emrtd.Crypto;
using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.SecureMessaging;

namespace Kiosk.Emrtd.Bac;

/// <summary>What the terminal keeps between EXTERNAL AUTHENTICATE and the card's answer.</summary>
public sealed record BacChallenge(CommandApdu Command, byte[] RandomIc, byte[] RandomIfd, byte[] KeyIfd)
{
    public override string ToString() => "BacChallenge { … }";
}

/// <summary>
/// BAC mutual authentication, terminal side (Part 11 §4.3, Appendix D.3), as pure steps. RND.IFD (8 bytes) and then
/// K.IFD (16 bytes) are drawn from the injected randomness in that order.
/// </summary>
public static class BacTerminal
{
    public const int ResponseLength = 40;

    /// <summary>GET CHALLENGE, EXTERNAL AUTHENTICATE, checks: the one orchestrating method over the steps below.</summary>
    public static async Task<SessionKeys> PerformAsync(AsyncApduTransmit transmit, BacKeys keys, RandomBytes random,
        CancellationToken cancellationToken)
    {
        byte[] randomIc = ParseChallenge(ResponseApdu.Parse(await transmit(GetChallenge().Encode(), cancellationToken).ConfigureAwait(false)));
        BacChallenge challenge = BuildExternalAuthenticate(keys, randomIc, random);
        byte[] answer = await transmit(challenge.Command.Encode(), cancellationToken).ConfigureAwait(false);
        return ProcessExternalAuthenticate(keys, challenge, ResponseApdu.Parse(answer));
    }

    public static CommandApdu GetChallenge() => new(0x00, 0x84, 0x00, 0x00, [], 8);

    public static byte[] ParseChallenge(ResponseApdu response)
    {
        if (!response.IsSuccess) throw new AuthenticationFailedException($"[BAC GET CHALLENGE] card answered {response.StatusWord:X4}");
        if (response.Data.Length != 8) throw new MalformedDataException($"[BAC GET CHALLENGE] RND.IC has {response.Data.Length} bytes, not 8");
        return response.Data;
    }

    /// <summary>E_IFD = 3DES(K_enc, RND.IFD ‖ RND.IC ‖ K.IFD), M_IFD = MAC(K_mac, E_IFD); EXTERNAL AUTHENTICATE with Le 28.</summary>
    public static BacChallenge BuildExternalAuthenticate(BacKeys keys, byte[] randomIc, RandomBytes random)
    {
        byte[] randomIfd = random(8);
        byte[] keyIfd = random(16);
        byte[] encrypted = BlockCiphers.Encrypt(CipherKind.TripleDes, keys.Encryption, new byte[8], [.. randomIfd, .. randomIc, .. keyIfd]);
        byte[] mac = RetailMac.Compute(keys.Mac, encrypted);
        var command = new CommandApdu(0x00, 0x82, 0x00, 0x00, [.. encrypted, .. mac], ResponseLength);
        return new BacChallenge(command, randomIc, randomIfd, keyIfd);
    }

    /// <summary>Checks M_IC, decrypts RND.IC ‖ RND.IFD ‖ K.IC, checks both nonces, derives the session keys and SSC.</summary>
    public static SessionKeys ProcessExternalAuthenticate(BacKeys keys, BacChallenge challenge, ResponseApdu response)
    {
        if (!response.IsSuccess) throw new AuthenticationFailedException($"[BAC EXTERNAL AUTHENTICATE] card answered {response.StatusWord:X4}");
        if (response.Data.Length != ResponseLength)
            throw new MalformedDataException($"[BAC EXTERNAL AUTHENTICATE] answer has {response.Data.Length} bytes, not {ResponseLength}");
        byte[] encrypted = response.Data[..32];
        if (!CryptographicOperations.FixedTimeEquals(RetailMac.Compute(keys.Mac, encrypted), response.Data.AsSpan(32)))
            throw new AuthenticationFailedException("[BAC EXTERNAL AUTHENTICATE] M_IC does not verify");
        byte[] decrypted = BlockCiphers.Decrypt(CipherKind.TripleDes, keys.Encryption, new byte[8], encrypted);
        if (!decrypted.AsSpan(0, 8).SequenceEqual(challenge.RandomIc) || !decrypted.AsSpan(8, 8).SequenceEqual(challenge.RandomIfd))
            throw new AuthenticationFailedException("[BAC EXTERNAL AUTHENTICATE] the card's answer does not echo RND.IC and RND.IFD");
        return DeriveSessionKeys(challenge.KeyIfd, decrypted[16..], challenge.RandomIc, challenge.RandomIfd);
    }

    /// <summary>K_seed = K.IFD ⊕ K.IC; SSC = RND.IC[4..8] ‖ RND.IFD[4..8] (Appendix D.3).</summary>
    public static SessionKeys DeriveSessionKeys(byte[] keyIfd, byte[] keyIc, byte[] randomIc, byte[] randomIfd)
    {
        byte[] seed = new byte[16];
        for (int i = 0; i < 16; i++) seed[i] = (byte)(keyIfd[i] ^ keyIc[i]);
        return new SessionKeys(CipherKind.TripleDes,
            KeyDerivation.Derive(seed, KeyDerivation.EncryptionCounter, CipherKind.TripleDes),
            KeyDerivation.Derive(seed, KeyDerivation.MacCounter, CipherKind.TripleDes),
            [.. randomIc[4..8], .. randomIfd[4..8]]);
    }
}

/// <summary>BAC, card side (the virtual chip answers EXTERNAL AUTHENTICATE). K.IC (16 bytes) comes from the randomness.</summary>
public static class BacChip
{
    public static (byte[] ResponseData, SessionKeys Keys) AnswerExternalAuthenticate(BacKeys keys, byte[] randomIc, ReadOnlySpan<byte> commandData, RandomBytes random)
    {
        if (commandData.Length != BacTerminal.ResponseLength)
            throw new MalformedDataException($"[BAC card] EXTERNAL AUTHENTICATE data has {commandData.Length} bytes, not 40");
        byte[] encrypted = commandData[..32].ToArray();
        if (!CryptographicOperations.FixedTimeEquals(RetailMac.Compute(keys.Mac, encrypted), commandData[32..]))
            throw new AuthenticationFailedException("[BAC card] M_IFD does not verify");
        byte[] decrypted = BlockCiphers.Decrypt(CipherKind.TripleDes, keys.Encryption, new byte[8], encrypted);
        if (!decrypted.AsSpan(8, 8).SequenceEqual(randomIc))
            throw new AuthenticationFailedException("[BAC card] the terminal's cryptogram does not echo RND.IC");
        byte[] randomIfd = decrypted[..8], keyIfd = decrypted[16..];
        byte[] keyIc = random(16);
        byte[] answer = BlockCiphers.Encrypt(CipherKind.TripleDes, keys.Encryption, new byte[8], [.. randomIc, .. randomIfd, .. keyIc]);
        byte[] responseData = [.. answer, .. RetailMac.Compute(keys.Mac, answer)];
        return (responseData, BacTerminal.DeriveSessionKeys(keyIfd, keyIc, randomIc, randomIfd));
    }
}
