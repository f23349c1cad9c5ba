using Kiosk.Simulators.VirtualCard.Security;

namespace Kiosk.Simulators.Peripherals.State;

/// <summary>
/// The test PKI (CSCA, document signers) of the virtual cards, created on first use under DATA/pki and kept there, so a
/// host can trust DATA/pki/trust across restarts. Created lazily: key generation is only paid when a card with
/// security is placed.
/// </summary>
public sealed class CardPkiProvider(string dataFolder)
{
    private readonly Lazy<CardPki> pki = new(() => CardPki.CreateOrLoad(Path.Combine(dataFolder, "pki")), LazyThreadSafetyMode.ExecutionAndPublication);

    public CardPki Pki => pki.Value;

    public string TrustFolder => Path.Combine(dataFolder, "pki", "trust");
}
