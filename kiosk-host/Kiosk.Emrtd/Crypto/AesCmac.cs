namespace Kiosk.Emrtd.Crypto;

/// <summary>AES-CMAC (NIST SP 800-38B, RFC 4493): the full 16-byte tag; eMRTD uses its first 8 bytes.</summary>
public static class AesCmac
{
    public static byte[] Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message)
    {
        if (key.Length is not (16 or 24 or 32)) throw new MalformedDataException($"[AesCmac] {key.Length}-byte key is not an AES key");
        byte[] subkey1 = ShiftAndReduce(BlockCiphers.AesEncryptBlock(key, new byte[16]));
        byte[] subkey2 = ShiftAndReduce(subkey1);

        int blocks = Math.Max(1, (message.Length + 15) / 16);
        bool lastBlockComplete = message.Length > 0 && message.Length % 16 == 0;
        byte[] prepared = new byte[blocks * 16];
        message.CopyTo(prepared);
        if (!lastBlockComplete) prepared[message.Length] = 0x80;
        byte[] subkey = lastBlockComplete ? subkey1 : subkey2;
        for (int i = 0; i < 16; i++) prepared[prepared.Length - 16 + i] ^= subkey[i];

        byte[] chained = BlockCiphers.Encrypt(KeyKind(key.Length), key, new byte[16], prepared);
        return chained[^16..];
    }

    private static CipherKind KeyKind(int keyLength) => keyLength switch
    {
        16 => CipherKind.Aes128,
        24 => CipherKind.Aes192,
        _ => CipherKind.Aes256,
    };

    /// <summary>Left shift by one bit; XOR 0x87 into the last byte when a 1 fell off (the GF(2^128) reduction).</summary>
    private static byte[] ShiftAndReduce(byte[] block)
    {
        byte[] shifted = new byte[16];
        for (int i = 0; i < 16; i++)
            shifted[i] = (byte)((block[i] << 1) | (i + 1 < 16 ? block[i + 1] >> 7 : 0));
        if ((block[0] & 0x80) != 0) shifted[15] ^= 0x87;
        return shifted;
    }
}
