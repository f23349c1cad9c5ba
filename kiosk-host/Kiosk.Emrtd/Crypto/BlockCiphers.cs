using System.Security.Cryptography;

namespace Kiosk.Emrtd.Crypto;

/// <summary>
/// Raw block-cipher operations without padding (callers pad with <see cref="Padding"/>). 3DES keys are two-key
/// 16 bytes; single DES exists only for the retail MAC. Inputs must be whole blocks: checked here, so a malformed
/// cryptogram from a card gives a typed error instead of a CryptographicException.
/// </summary>
public static class BlockCiphers
{
    public static byte[] Encrypt(CipherKind cipher, ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> data)
    {
        CheckBlocks(cipher.BlockSize(), data.Length, "Encrypt");
        using SymmetricAlgorithm algorithm = Create(cipher, key);
        return algorithm.EncryptCbc(data, iv, PaddingMode.None);
    }

    public static byte[] Decrypt(CipherKind cipher, ReadOnlySpan<byte> key, ReadOnlySpan<byte> iv, ReadOnlySpan<byte> data)
    {
        CheckBlocks(cipher.BlockSize(), data.Length, "Decrypt");
        using SymmetricAlgorithm algorithm = Create(cipher, key);
        return algorithm.DecryptCbc(data, iv, PaddingMode.None);
    }

    /// <summary>One AES block in ECB: the IV of AES secure messaging is E(K_enc, SSC).</summary>
    public static byte[] AesEncryptBlock(ReadOnlySpan<byte> key, ReadOnlySpan<byte> block)
    {
        using Aes aes = Aes.Create();
        aes.Key = key.ToArray();
        return aes.EncryptEcb(block, PaddingMode.None);
    }

    internal static byte[] DesEncryptCbc(ReadOnlySpan<byte> key8, ReadOnlySpan<byte> data)
    {
        using DES des = CreateDes(key8);
        return des.EncryptCbc(data, new byte[8], PaddingMode.None);
    }

    internal static byte[] DesEncryptBlock(ReadOnlySpan<byte> key8, ReadOnlySpan<byte> block)
    {
        using DES des = CreateDes(key8);
        return des.EncryptEcb(block, PaddingMode.None);
    }

    internal static byte[] DesDecryptBlock(ReadOnlySpan<byte> key8, ReadOnlySpan<byte> block)
    {
        using DES des = CreateDes(key8);
        return des.DecryptEcb(block, PaddingMode.None);
    }

    private static SymmetricAlgorithm Create(CipherKind cipher, ReadOnlySpan<byte> key)
    {
        if (key.Length != cipher.KeyLength())
            throw new MalformedDataException($"[BlockCiphers] {cipher} needs a {cipher.KeyLength()}-byte key, got {key.Length}");
        if (cipher == CipherKind.TripleDes)
        {
            TripleDES tripleDes = TripleDES.Create();
            // Two-key 3DES is K1‖K2‖K1; OpenSSL 3 refuses 16-byte keys, so the third key is spelled out.
            tripleDes.Key = [.. key, .. key[..8]];
            return tripleDes;
        }
        Aes aes = Aes.Create();
        aes.Key = key.ToArray();
        return aes;
    }

    private static DES CreateDes(ReadOnlySpan<byte> key8)
    {
        DES des = DES.Create();
        des.Key = key8.ToArray();
        return des;
    }

    private static void CheckBlocks(int blockSize, int length, string operation)
    {
        if (length == 0 || length % blockSize != 0)
            throw new MalformedDataException($"[BlockCiphers.{operation}] {length} bytes are not whole {blockSize}-byte blocks");
    }
}
