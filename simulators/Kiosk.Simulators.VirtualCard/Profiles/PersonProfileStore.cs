using System.Text.Json;

namespace Kiosk.Simulators.VirtualCard.Profiles;

/// <summary>Thrown for a profile file that cannot be used; the message names the file and the fields, not their values.</summary>
public sealed class InvalidProfileException(string message) : Exception(message);

/// <summary>The person profiles the simulator can put on a card, loaded from *.json files in a folder.</summary>
public sealed class PersonProfileStore
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private readonly Dictionary<string, PersonProfile> profiles;

    public PersonProfileStore(IEnumerable<PersonProfile> profiles)
    {
        this.profiles = new Dictionary<string, PersonProfile>(StringComparer.Ordinal);
        foreach (PersonProfile profile in profiles)
        {
            IReadOnlyList<string> problems = PersonProfileValidator.Validate(profile);
            if (problems.Count > 0) throw new InvalidProfileException($"profile '{profile.Id}': {string.Join("; ", problems)}");
            if (!this.profiles.TryAdd(profile.Id, profile)) throw new InvalidProfileException($"profile id '{profile.Id}' appears twice");
        }
    }

    /// <summary>The folder of profiles shipped beside the assembly (copied to every referencing project's output).</summary>
    public static string DefaultFolder => Path.Combine(AppContext.BaseDirectory, "profiles");

    public IReadOnlyCollection<PersonProfile> All => profiles.Values.OrderBy(p => p.Id, StringComparer.Ordinal).ToList();

    public bool TryGet(string id, out PersonProfile profile)
    {
        bool found = profiles.TryGetValue(id, out PersonProfile? value);
        profile = value!;
        return found;
    }

    /// <summary>Loads every *.json file of the folder; a bad file stops the load with a message naming it.</summary>
    public static PersonProfileStore LoadFolder(string folder)
    {
        if (!Directory.Exists(folder)) throw new InvalidProfileException($"profile folder '{folder}' does not exist");
        var loaded = new List<PersonProfile>();
        foreach (string file in Directory.EnumerateFiles(folder, "*.json").Order(StringComparer.Ordinal))
        {
            loaded.Add(ParseFile(file));
        }
        return new PersonProfileStore(loaded);
    }

    public static PersonProfile Parse(string json, string sourceName)
    {
        try
        {
            return JsonSerializer.Deserialize<PersonProfile>(json, JsonOptions)
                ?? throw new InvalidProfileException($"{sourceName}: the file holds null");
        }
        catch (JsonException e)
        {
            // JsonException's message quotes positions, not values, so it is safe to pass on.
            throw new InvalidProfileException($"{sourceName}: not a profile JSON object ({e.Message})");
        }
    }

    private static PersonProfile ParseFile(string file)
    {
        PersonProfile profile = Parse(File.ReadAllText(file), Path.GetFileName(file));
        string expectedId = Path.GetFileNameWithoutExtension(file);
        if (profile.Id != expectedId) throw new InvalidProfileException($"{Path.GetFileName(file)}: id must equal the file name '{expectedId}'");
        return profile;
    }
}
