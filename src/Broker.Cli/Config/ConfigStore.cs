using System.Text.Json;

namespace Broker.Cli.Config;

/// <summary>
/// The user's config file: <c>$XDG_CONFIG_HOME/broker/config.json</c>, else <c>~/.config/broker/config.json</c>. It holds
/// an API key, so the directory is 700 and the file 600, written to a temporary file created with those bits and renamed
/// over the old one (never a moment when the key is readable by others, never a half-written file).
/// </summary>
public sealed class ConfigStore(CliEnvironment environment)
{
    public const string UrlVariable = "BROKER_URL";
    public const string KeyVariable = "BROKER_API_KEY";

    private const UnixFileMode DirectoryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
    private const UnixFileMode FileBits = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public string Directory
    {
        get
        {
            var xdg = environment.Variable("XDG_CONFIG_HOME");
            var root = !string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg) ? xdg
                : Path.Combine(environment.Variable("HOME") is { Length: > 0 } home ? home
                    : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
            return Path.Combine(root, "broker");
        }
    }

    public string FilePath => Path.Combine(Directory, "config.json");

    /// <summary>The stored login with <c>BROKER_URL</c>/<c>BROKER_API_KEY</c> taking precedence; null when neither says where to go.</summary>
    public CliConfig? Load()
    {
        var stored = ReadFile();
        var url = environment.Variable(UrlVariable) is { Length: > 0 } u ? u : stored?.Url;
        var key = environment.Variable(KeyVariable) is { Length: > 0 } k ? k : stored?.ApiKey;
        return url is null || key is null ? null : new CliConfig(url, key);
    }

    public void Save(CliConfig config)
    {
        var directory = Directory;
        if (OperatingSystem.IsWindows())
        {
            System.IO.Directory.CreateDirectory(directory);
        }
        else
        {
            System.IO.Directory.CreateDirectory(directory, DirectoryMode);
            File.SetUnixFileMode(directory, DirectoryMode);
        }
        var temporary = Path.Combine(directory, $".config.{Guid.NewGuid():N}.tmp");
        var options = new FileStreamOptions { Mode = System.IO.FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = FileBits;
        }
        try
        {
            using (var stream = new FileStream(temporary, options))
            {
                JsonSerializer.Serialize(stream, config, ConfigJson.Default.CliConfig);
            }
            File.Move(temporary, FilePath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private CliConfig? ReadFile()
    {
        if (!File.Exists(FilePath))
        {
            return null;
        }
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(FilePath) & ~FileBits) != 0)
        {
            environment.Error.WriteLine($"warning: {FilePath} is readable by others; run 'chmod 600 {FilePath}' (it holds your API key).");
        }
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(FilePath), ConfigJson.Default.CliConfig);
        }
        catch (JsonException e)
        {
            throw new UsageException($"{FilePath} is not a valid config file ({e.Message}); run 'broker login' again.");
        }
    }
}
