using Kiosk.Simulators.Peripherals.State;
using Kiosk.Simulators.Peripherals.Transport;

namespace Kiosk.Simulators.Peripherals.Printer;

/// <summary>The ESC/POS receipt printer on its port: feeds the parser, sends status answers, stores finished receipts.</summary>
public sealed class VirtualPrinter : ISerialDevice
{
    private readonly PeripheralState state;
    private readonly ReceiptStore store;
    private EscPosParser parser;

    public VirtualPrinter(PeripheralState state, ReceiptStore store)
    {
        this.state = state;
        this.store = store;
        parser = new EscPosParser();
    }

    /// <summary>A new client starts a fresh stream: a half-received command from the old one must not swallow its bytes.</summary>
    public void OnConnected() => parser = new EscPosParser();

    public async Task ReceiveAsync(ReadOnlyMemory<byte> bytes, ISerialOutput output, CancellationToken cancellationToken)
    {
        EscPosFeedResult result = parser.Feed(bytes.Span, state.Printer);
        foreach (Receipt receipt in result.FinishedReceipts) store.Add(receipt);
        if (result.Replies.Length > 0) await output.WriteAsync(result.Replies, cancellationToken);
    }
}
