using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kiosk.EdgeBroker.Users;

/// <summary>One row of users.json. Never holds a password, only what is needed to check one.</summary>
public sealed record StoredUser(string Name, UserRole Role, string Salt, string Hash, int Iterations, DateTimeOffset Created);

public sealed record UsersFile(List<StoredUser> Users);

/// <summary>The outcome of checking a CONNECT's user name and password.</summary>
public enum CredentialCheck
{
    Valid,
    UnknownUser,
    WrongPassword,
}

/// <summary>
/// DATA/users.json and SECRETS/mqtt-NAME.password. The broker provisions the default users on first start;
/// <c>Kiosk.EdgeBroker adduser</c> adds more. The file is re-read when it changes on disk, so a user added while the
/// broker runs can connect without a restart.
/// </summary>
public sealed class UserStore
{
    public const string UsersFileName = "users.json";

    /// <summary>The users a fresh kiosk needs: the host and the demo's one device.</summary>
    public static readonly IReadOnlyList<BrokerUser> DefaultUsers =
    [
        new("host", UserRole.Host),
        new("mcu-01", UserRole.Device),
    ];

    static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    // Checked against when the user is unknown, so an unknown name costs the same time as a wrong password.
    static readonly StoredUser TimingDecoy = new(
        "-", UserRole.Device, Convert.ToBase64String(new byte[PasswordHasher.SaltBytes]),
        Convert.ToBase64String(new byte[PasswordHasher.HashBytes]), PasswordHasher.DefaultIterations, DateTimeOffset.UnixEpoch);

    readonly string _usersPath;
    readonly string _secretsDirectory;
    readonly Lock _sync = new();
    Dictionary<string, StoredUser> _users = new(StringComparer.Ordinal);
    DateTime _loadedWriteTimeUtc;

    public UserStore(string dataDirectory, string secretsDirectory)
    {
        _usersPath = Path.Combine(dataDirectory, UsersFileName);
        _secretsDirectory = secretsDirectory;
    }

    public string UsersPath => _usersPath;

    public static string SecretFileName(string userName) => $"mqtt-{userName}.password";

    public string SecretPath(string userName) => Path.Combine(_secretsDirectory, SecretFileName(userName));

    /// <summary>Creates users.json with the default users when it is missing, then loads it. Returns the names created.</summary>
    public IReadOnlyList<string> EnsureProvisioned()
    {
        var created = new List<string>();
        if (!File.Exists(_usersPath))
        {
            var file = new UsersFile([]);
            foreach (BrokerUser user in DefaultUsers)
            {
                file.Users.Add(CreateUserWithSecret(user));
                created.Add(user.Name);
            }

            Save(file);
        }

        Reload();
        return created;
    }

    /// <summary>Adds one user, writes its password to the secrets folder. Fails if the name is taken.</summary>
    public void AddUser(BrokerUser user)
    {
        if (!BrokerUser.IsValidName(user.Name))
        {
            throw new ArgumentException($"User name '{user.Name}' must be 1-64 letters, digits or '-'.", nameof(user));
        }

        // On a fresh kiosk `adduser` may run before the broker ever started: create the default users first, or the
        // broker would find users.json present and never provision host and mcu-01.
        EnsureProvisioned();
        UsersFile file = Load();
        if (file.Users.Any(existing => existing.Name == user.Name))
        {
            throw new InvalidOperationException($"User '{user.Name}' already exists in {_usersPath}.");
        }

        file.Users.Add(CreateUserWithSecret(user));
        Save(file);
        Reload();
    }

    public IReadOnlyList<BrokerUser> ListUsers()
    {
        ReloadIfChanged();
        lock (_sync)
        {
            return _users.Values.Select(stored => new BrokerUser(stored.Name, stored.Role)).ToList();
        }
    }

    /// <summary>Checks a user name and password from a CONNECT; on success returns the user.</summary>
    public CredentialCheck Check(string? userName, ReadOnlySpan<byte> password, out BrokerUser? user)
    {
        ReloadIfChanged();
        StoredUser? stored = null;
        if (userName is not null)
        {
            lock (_sync)
            {
                _users.TryGetValue(userName, out stored);
            }
        }

        StoredUser checkedAgainst = stored ?? TimingDecoy;
        bool matches = PasswordHasher.Verify(
            password, Convert.FromBase64String(checkedAgainst.Salt), checkedAgainst.Iterations, Convert.FromBase64String(checkedAgainst.Hash));

        if (stored is null)
        {
            user = null;
            return CredentialCheck.UnknownUser;
        }

        user = matches ? new BrokerUser(stored.Name, stored.Role) : null;
        return matches ? CredentialCheck.Valid : CredentialCheck.WrongPassword;
    }

    StoredUser CreateUserWithSecret(BrokerUser user)
    {
        string password = PasswordHasher.NewPassword();
        byte[] salt = PasswordHasher.NewSalt();
        byte[] hash = PasswordHasher.Hash(Encoding.UTF8.GetBytes(password), salt, PasswordHasher.DefaultIterations);
        WriteSecret(user.Name, password);
        return new StoredUser(user.Name, user.Role, Convert.ToBase64String(salt), Convert.ToBase64String(hash),
            PasswordHasher.DefaultIterations, DateTimeOffset.UtcNow);
    }

    // 0600 in a 0700 folder, written to a temporary file and renamed: a reader never sees half a password.
    void WriteSecret(string userName, string password) => SecretFile.Write(SecretPath(userName), password);

    UsersFile Load()
    {
        using FileStream stream = File.OpenRead(_usersPath);
        return JsonSerializer.Deserialize<UsersFile>(stream, JsonOptions)
            ?? throw new InvalidDataException($"{_usersPath} is empty.");
    }

    void Save(UsersFile file)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_usersPath))!);
        string temporary = _usersPath + ".tmp";
        File.WriteAllText(temporary, JsonSerializer.Serialize(file, JsonOptions));
        File.Move(temporary, _usersPath, overwrite: true);
    }

    void Reload()
    {
        UsersFile file = Load();
        var users = new Dictionary<string, StoredUser>(StringComparer.Ordinal);
        foreach (StoredUser stored in file.Users)
        {
            if (stored.Iterations < PasswordHasher.MinimumIterations)
            {
                throw new InvalidDataException(
                    $"{_usersPath}: user '{stored.Name}' has {stored.Iterations} PBKDF2 iterations, fewer than {PasswordHasher.MinimumIterations}.");
            }

            users[stored.Name] = stored;
        }

        lock (_sync)
        {
            _users = users;
            _loadedWriteTimeUtc = File.GetLastWriteTimeUtc(_usersPath);
        }
    }

    void ReloadIfChanged()
    {
        DateTime current = File.Exists(_usersPath) ? File.GetLastWriteTimeUtc(_usersPath) : default;
        bool changed;
        lock (_sync)
        {
            changed = current != default && current != _loadedWriteTimeUtc;
        }

        if (changed)
        {
            try
            {
                Reload();
            }
            catch (Exception exception) when (exception is IOException or JsonException or InvalidDataException)
            {
                // A half-edited file must not lock everyone out: keep the users we had.
            }
        }
    }
}
