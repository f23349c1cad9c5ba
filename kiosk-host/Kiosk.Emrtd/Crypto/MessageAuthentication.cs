namespace Kiosk.Emrtd.Crypto;

/// <summary>The 8-byte MAC of secure messaging and PACE tokens: retail MAC for 3DES, AES-CMAC truncated for AES.</summary>
public static class MessageAuthentication
{
    public const int MacLength = 8;

    /// <summary>Over data the caller has already padded (secure messaging's N and K).</summary>
    public static byte[] OverPadded(CipherKind cipher, ReadOnlySpan<byte> key, ReadOnlySpan<byte> padded) =>
        cipher == CipherKind.TripleDes
            ? RetailMac.ComputeOverPadded(key, padded)
            : AesCmac.Compute(key, padded)[..MacLength];

    /// <summary>Over unpadded data (PACE authentication tokens): the retail MAC pads itself, CMAC needs no padding.</summary>
    public static byte[] OverMessage(CipherKind cipher, ReadOnlySpan<byte> key, ReadOnlySpan<byte> message) =>
        cipher == CipherKind.TripleDes
            ? RetailMac.Compute(key, message)
            : AesCmac.Compute(key, message)[..MacLength];
}
