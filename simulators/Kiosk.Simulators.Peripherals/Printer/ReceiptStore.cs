using System.Text.Encodings.Web;
using System.Text.Json;

namespace Kiosk.Simulators.Peripherals.Printer;

/// <summary>
/// The last <see cref="Capacity"/> printed receipts, kept in DATA/receipts.json so a restarted simulator still shows
/// them. Written to a temporary file and renamed, so a crash mid-write never leaves a half file.
/// </summary>
public sealed class ReceiptStore
{
    public const int Capacity = 50;
    public const string FileName = "receipts.json";

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        // Vietnamese text stays readable in the file; it is never embedded in HTML unescaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
    };

    private readonly object gate = new();
    private readonly string path;
    private readonly ILogger logger;
    private readonly List<Receipt> receipts = new();
    private long lastNumber;

    public ReceiptStore(string dataFolder, ILogger logger)
    {
        this.logger = logger;
        Directory.CreateDirectory(dataFolder);
        path = Path.Combine(dataFolder, FileName);
        Load();
    }

    /// <summary>Oldest first.</summary>
    public IReadOnlyList<Receipt> All
    {
        get { lock (gate) return receipts.ToArray(); }
    }

    public Receipt Add(Receipt receipt)
    {
        lock (gate)
        {
            Receipt numbered = receipt with { Number = ++lastNumber };
            receipts.Add(numbered);
            if (receipts.Count > Capacity) receipts.RemoveRange(0, receipts.Count - Capacity);
            Save();
            return numbered;
        }
    }

    public void Clear()
    {
        lock (gate)
        {
            receipts.Clear();
            Save();
        }
    }

    private void Load()
    {
        if (!File.Exists(path)) return;
        try
        {
            List<Receipt>? loaded = JsonSerializer.Deserialize<List<Receipt>>(File.ReadAllText(path), JsonOptions);
            if (loaded is null) return;
            receipts.AddRange(loaded.TakeLast(Capacity));
            lastNumber = receipts.Count == 0 ? 0 : receipts.Max(r => r.Number);
        }
        catch (Exception e) when (e is JsonException or IOException or NotSupportedException)
        {
            // Keep the unreadable file for inspection and start empty rather than refuse to start.
            string aside = path + ".unreadable";
            logger.LogWarning("{File} could not be read ({Error}); moved to {Aside}", FileName, e.GetType().Name, Path.GetFileName(aside));
            File.Move(path, aside, overwrite: true);
        }
    }

    private void Save()
    {
        try
        {
            string temporary = path + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(receipts, JsonOptions));
            File.Move(temporary, path, overwrite: true);
        }
        catch (IOException e)
        {
            logger.LogError("{File} could not be written: {Error}", FileName, e.Message);
        }
    }
}
