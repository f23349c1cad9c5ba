using Kiosk.Emrtd.Crypto;

namespace Kiosk.Emrtd.SecureMessaging;

/// <summary>What BAC or PACE leaves behind: the session cipher, KS_enc, KS_mac and the first send sequence counter.</summary>
public sealed record SessionKeys(CipherKind Cipher, byte[] Encryption, byte[] Mac, byte[] SendSequenceCounter)
{
    public SecureMessagingSession StartSession() => new(this);

    /// <summary>Keys are never printed, whatever logs a record.</summary>
    public override string ToString() => $"SessionKeys {{ Cipher = {Cipher} }}";
}
