namespace Kiosk.Emrtd.Crypto;

/// <summary>The block ciphers of eMRTD secure messaging and PACE, with their key lengths.</summary>
public enum CipherKind
{
    /// <summary>Two-key 3DES (K1‖K2‖K1), CBC with IV 0, retail MAC.</summary>
    TripleDes,
    Aes128,
    Aes192,
    Aes256,
}

public static class CipherKindExtensions
{
    public static int BlockSize(this CipherKind cipher) => cipher == CipherKind.TripleDes ? 8 : 16;

    public static int KeyLength(this CipherKind cipher) => cipher switch
    {
        CipherKind.TripleDes => 16,
        CipherKind.Aes128 => 16,
        CipherKind.Aes192 => 24,
        _ => 32,
    };

    public static bool IsAes(this CipherKind cipher) => cipher != CipherKind.TripleDes;
}
