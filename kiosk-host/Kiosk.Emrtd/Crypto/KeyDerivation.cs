using System.Security.Cryptography;

namespace Kiosk.Emrtd.Crypto;

/// <summary>ICAO 9303 Part 11 §9.7.1: K = H(shared secret ‖ counter), truncated to the cipher's key length.</summary>
public static class KeyDerivation
{
    public const int EncryptionCounter = 1;
    public const int MacCounter = 2;
    public const int PasswordCounter = 3;

    /// <summary>SHA-1 for 3DES and AES-128, SHA-256 for AES-192/256; 3DES keys are parity-adjusted.</summary>
    public static byte[] Derive(ReadOnlySpan<byte> sharedSecret, int counter, CipherKind cipher)
    {
        byte[] input = new byte[sharedSecret.Length + 4];
        sharedSecret.CopyTo(input);
        input[^4] = (byte)(counter >> 24);
        input[^3] = (byte)(counter >> 16);
        input[^2] = (byte)(counter >> 8);
        input[^1] = (byte)counter;
        byte[] hash = cipher is CipherKind.Aes192 or CipherKind.Aes256 ? SHA256.HashData(input) : SHA1.HashData(input);
        byte[] key = hash[..cipher.KeyLength()];
        return cipher == CipherKind.TripleDes ? DesParity.Adjust(key) : key;
    }
}

/// <summary>
/// DES key parity (§9.7.1.1): each byte gets an odd number of 1 bits by setting its lowest bit. DES ignores that bit,
/// so this changes no ciphertext; it only makes the keys equal to the published examples.
/// </summary>
public static class DesParity
{
    public static byte[] Adjust(ReadOnlySpan<byte> key)
    {
        byte[] adjusted = key.ToArray();
        for (int i = 0; i < adjusted.Length; i++)
        {
            int highBits = System.Numerics.BitOperations.PopCount((uint)(adjusted[i] & 0xFE));
            adjusted[i] = (byte)((adjusted[i] & 0xFE) | (highBits % 2 == 0 ? 1 : 0));
        }
        return adjusted;
    }
}
