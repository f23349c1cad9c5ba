namespace Kiosk.Emrtd.Crypto;

/// <summary>
/// ISO/IEC 9797-1 MAC algorithm 3 ("retail MAC") with single DES: CBC over every block with Ka, then the last block is
/// decrypted with Kb and encrypted with Ka again. The 16-byte key is Ka‖Kb.
/// </summary>
public static class RetailMac
{
    /// <summary>Pads with method 2, then MACs (BAC cryptograms, PACE tokens with 3DES).</summary>
    public static byte[] Compute(ReadOnlySpan<byte> key, ReadOnlySpan<byte> message) =>
        ComputeOverPadded(key, Padding.Pad(message, 8));

    /// <summary>
    /// For input that is already padded (secure messaging pads N itself): padding twice is a known cause of MAC
    /// mismatches (emrtd.md §1.4).
    /// </summary>
    public static byte[] ComputeOverPadded(ReadOnlySpan<byte> key, ReadOnlySpan<byte> padded)
    {
        if (key.Length != 16) throw new MalformedDataException($"[RetailMac] needs a 16-byte key, got {key.Length}");
        if (padded.Length == 0 || padded.Length % 8 != 0)
            throw new MalformedDataException($"[RetailMac] {padded.Length} bytes are not whole DES blocks");
        ReadOnlySpan<byte> keyA = key[..8], keyB = key[8..];
        byte[] chained = BlockCiphers.DesEncryptCbc(keyA, padded);
        byte[] last = chained[^8..];
        return BlockCiphers.DesEncryptBlock(keyA, BlockCiphers.DesDecryptBlock(keyB, last));
    }
}
