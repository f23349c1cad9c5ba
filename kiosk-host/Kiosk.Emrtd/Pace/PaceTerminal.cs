using Kiosk.Emrtd.Iso7816;
using Kiosk.Emrtd.SecureMessaging;

namespace Kiosk.Emrtd.Pace;

/// <summary>
/// The terminal's PACE-ECDH-GM run (Part 11 §4.4.3): the one orchestrating method over <see cref="PaceSteps"/>. The
/// randomness is drawn in a fixed order (mapping key, then ephemeral key) so tests can replay G.1.
/// </summary>
public static class PaceTerminal
{
    public static SessionKeys Perform(ApduTransmit transmit, PaceAlgorithm algorithm, int parameterId, PacePassword password,
        RandomBytes random, bool sendParameterId = false) =>
        // The delegate answers synchronously, so the task is already complete: no blocking on a pending task.
        PerformAsync((command, _) => Task.FromResult(transmit(command)), algorithm, parameterId, password, random,
            sendParameterId, CancellationToken.None).GetAwaiter().GetResult();

    public static async Task<SessionKeys> PerformAsync(AsyncApduTransmit transmit, PaceAlgorithm algorithm, int parameterId,
        PacePassword password, RandomBytes random, bool sendParameterId, CancellationToken cancellationToken)
    {
        async Task<ResponseApdu> Exchange(CommandApdu command) =>
            ResponseApdu.Parse(await transmit(command.Encode(), cancellationToken).ConfigureAwait(false));

        if (!algorithm.IsImplemented) throw new UnsupportedProtocolException($"[PACE] {algorithm.Oid} is not ECDH generic mapping");
        EllipticCurve curve = StandardDomainParameters.ById(parameterId);

        ResponseApdu selected = await Exchange(PaceSteps.MseSetAt(algorithm, password.Type, sendParameterId ? parameterId : null));
        if (!selected.IsSuccess) throw new AuthenticationFailedException($"[PACE MSE:Set AT] card answered {selected.StatusWord:X4}");

        byte[] encryptedNonce = PaceSteps.ReadResponse(await Exchange(PaceSteps.GetEncryptedNonce()), PaceSteps.TagEncryptedNonce, "nonce");
        byte[] nonce = PaceSteps.DecryptNonce(algorithm.Cipher, password.DeriveKeyPi(algorithm.Cipher), encryptedNonce);

        EcKeyPair mappingKey = EcKeyPair.Generate(curve, random);
        byte[] chipMapping = PaceSteps.ReadResponse(
            await Exchange(PaceSteps.GeneralAuthenticate(PaceSteps.TagMappingDataTerminal, curve.Encode(mappingKey.PublicKey), lastStep: false)),
            PaceSteps.TagMappingDataChip, "mapping");
        (_, EllipticCurve mapped) = PaceSteps.MapGenerator(curve, nonce, mappingKey.PrivateKey, curve.Decode(chipMapping));

        EcKeyPair ephemeralKey = EcKeyPair.Generate(mapped, random);
        byte[] terminalPublic = mapped.Encode(ephemeralKey.PublicKey);
        byte[] chipPublic = PaceSteps.ReadResponse(
            await Exchange(PaceSteps.GeneralAuthenticate(PaceSteps.TagEphemeralKeyTerminal, terminalPublic, lastStep: false)),
            PaceSteps.TagEphemeralKeyChip, "key agreement");
        byte[] secret = PaceSteps.SharedSecret(mapped, ephemeralKey, mapped.Decode(chipPublic));
        SessionKeys keys = PaceSteps.DeriveSessionKeys(algorithm.Cipher, secret);

        byte[] terminalToken = PaceSteps.AuthenticationToken(algorithm, keys, chipPublic);
        byte[] chipToken = PaceSteps.ReadResponse(
            await Exchange(PaceSteps.GeneralAuthenticate(PaceSteps.TagTokenTerminal, terminalToken, lastStep: true)),
            PaceSteps.TagTokenChip, "mutual authentication");
        PaceSteps.VerifyToken(PaceSteps.AuthenticationToken(algorithm, keys, terminalPublic), chipToken, "mutual authentication");
        return keys;
    }
}
