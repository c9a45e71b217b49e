using Broker.Core.Jobs;

namespace Broker.Core.Tests.Jobs;

public sealed class ImageReferenceTests
{
    private const string Sha256 = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("ubuntu", null, "ubuntu", null, null)]
    [InlineData("ubuntu:22.04", null, "ubuntu", "22.04", null)]
    [InlineData("library/ubuntu:latest", null, "library/ubuntu", "latest", null)]
    [InlineData("ghcr.io/acme/train:1.4", "ghcr.io", "acme/train", "1.4", null)]
    [InlineData("nvcr.io/nvidia/pytorch:24.01-py3", "nvcr.io", "nvidia/pytorch", "24.01-py3", null)]
    [InlineData("localhost/train", "localhost", "train", null, null)]
    [InlineData("localhost:5000/acme/train:v2", "localhost:5000", "acme/train", "v2", null)]
    [InlineData("registry.example.com:443/a/b/c", "registry.example.com:443", "a/b/c", null, null)]
    [InlineData("Registry.Example.COM/acme/train", "Registry.Example.COM", "acme/train", null, null)]
    [InlineData("[::1]:5000/acme/train", "[::1]:5000", "acme/train", null, null)]
    [InlineData("10.0.0.7:5000/train", "10.0.0.7:5000", "train", null, null)]
    [InlineData("acme/my_model__v2.0-final", null, "acme/my_model__v2.0-final", null, null)]
    [InlineData("acme/a--b", null, "acme/a--b", null, null)]
    [InlineData("acme/train:_x", null, "acme/train", "_x", null)]
    [InlineData("acme/train:UPPER_tag", null, "acme/train", "UPPER_tag", null)]
    [InlineData("acme/train@" + Sha256, null, "acme/train", null, Sha256)]
    [InlineData("ghcr.io/acme/train:1.4@" + Sha256, "ghcr.io", "acme/train", "1.4", Sha256)]
    public void Valid_references_parse_into_their_parts(string text, string? registry, string repository, string? tag, string? digest)
    {
        Assert.True(ImageReference.TryParse(text, out var reference, out var error), error);
        Assert.Equal(new ImageReference(registry, repository, tag, digest), reference);
        Assert.Equal(text, reference.ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("-it", "starts with '-'")]
    [InlineData("--privileged", "starts with '-'")]
    [InlineData("ubuntu -it", "white space")]
    [InlineData(" ubuntu", "white space")]
    [InlineData("ubuntu\n", "white space")]
    [InlineData("ubuntu\0", "control")]
    [InlineData("$(id)", "lower-case letters and digits")]
    [InlineData("`id`", "lower-case letters and digits")]
    [InlineData("acme/train;rm -rf /", "white space")]
    [InlineData("acme/train|sh", "lower-case letters and digits")]
    [InlineData("Acme/train", "lower-case")]
    [InlineData("ghcr.io/Acme/train", "lower-case")]
    [InlineData("UBUNTU", "lower-case")]
    [InlineData("ubuntu:", "tag")]
    [InlineData("ubuntu:-x", "tag")]
    [InlineData("ubuntu:.x", "tag")]
    [InlineData("ubuntu:a/b", "registry")]
    [InlineData("ubuntu:täg", "tag")]
    [InlineData("ubuntü", "lower-case letters and digits")]
    [InlineData("ubuntu/", "lower-case letters and digits")]
    [InlineData("/ubuntu", "lower-case letters and digits")]
    [InlineData("acme//train", "lower-case letters and digits")]
    [InlineData("acme/.train", "lower-case letters and digits")]
    [InlineData("acme/train.", "lower-case letters and digits")]
    [InlineData("acme/train___x", "lower-case letters and digits")]
    [InlineData(":tag", "no name")]
    [InlineData("@" + Sha256, "no name")]
    [InlineData("ghcr.io:99999/acme/train", "port")]
    [InlineData("ghcr.io:0/acme/train", "port")]
    [InlineData("-ghcr.io/acme/train", "starts with '-'")]
    [InlineData("ghcr-.io/acme/train", "registry")]
    [InlineData("ghcr.io:/acme/train", "registry")]
    [InlineData("acme/train@sha256:abc", "digest")]
    [InlineData("acme/train@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef", "sha256")]
    [InlineData("acme/train@md5", "digest")]
    [InlineData("acme/train@", "digest")]
    [InlineData("acme/train@" + Sha256 + "@" + Sha256, "digest")]
    public void Invalid_references_are_refused_with_the_reason(string text, string reasonPart)
    {
        Assert.False(ImageReference.TryParse(text, out var reference, out var error));
        Assert.Null(reference);
        Assert.Contains(reasonPart, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Length_limits_hold_for_the_name_the_tag_and_the_whole_reference()
    {
        Assert.True(ImageReference.IsValid(new string('a', 255)));
        Assert.False(ImageReference.IsValid(new string('a', 256)));
        Assert.True(ImageReference.IsValid("a:" + new string('t', 128)));
        Assert.False(ImageReference.IsValid("a:" + new string('t', 129)));
        Assert.False(ImageReference.IsValid(new string('a', 200) + ":" + new string('t', 128) + "@sha256:" + new string('0', 200)));
    }

    [Fact]
    public void Null_is_refused()
    {
        Assert.False(ImageReference.TryParse(null, out _, out var error));
        Assert.Equal("The image is empty.", error);
    }
}
