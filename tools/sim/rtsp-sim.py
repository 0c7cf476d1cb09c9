#!/usr/bin/python3
"""Mắt Thần RTSP camera simulator.

Serves one live synthetic H.264 scene per camera at rtsp://<address>:<port>/<cameraId>:
a static textured background, low-amplitude sensor noise and a dark person-sized
object that is off-screen until a "crossing" moves it left -> right. Health faults:
"freeze" holds the picture (no noise, no movement: a hung encoder), "cover" shows a
uniform black frame (a hand, tape or paint over the lens); each lasts until undone or
for the seconds given.

With --clip ID=PATH (repeatable) it also serves a recorded H.264 file (Matroska or
MP4) at rtsp://<address>:<port>/<ID>: every client connection gets its own playback
of the file from its first frame, in real time, without re-encoding; at the end of
the file the stream ends. With --share-clips N, clip mounts of the same file are served
from N shared playbacks instead (mount i joins playback i mod N, started by its first
client; later clients join it mid-stream): many cameras for the price of N pipelines,
for load tests that need streams, not each client's own clip timing (clip-start and
clip-end then come once per shared playback).

stdin (one command per line):  cross <cameraId> [seconds] | freeze <id> [seconds]
                               | unfreeze <id> | cover <id> [seconds] | uncover <id> | quit
stdout (one message per line): ready <port> | crossing-start <id> | crossing-end <id>
                               | frozen <id> | unfrozen <id> | covered <id> | uncovered <id>
                               | media-up <id> | media-down <id> | error <text>
                               | clip-start <id> <unix-ms> | clip-end <id>
clip-start gives the wall-clock time (Unix epoch, milliseconds) at which the clip's
first frame is due to leave the server: clip second s is sent at unix-ms + 1000*s.
"""
import argparse
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

APT_PACKAGES = ("python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base "
                "gstreamer1.0-plugins-good gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly")
EXIT_DEPS, EXIT_LISTEN = 3, 4  # argparse exits 2 on bad arguments
CAMERA_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
CLIP_EXTENSIONS = (".mkv", ".mp4", ".mov")


def die(msg, code):
    sys.stderr.write(f"rtsp-sim: {msg}\n")
    sys.stderr.flush()
    sys.exit(code)


def emit(line):
    try:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
    except BrokenPipeError:  # parent went away
        os._exit(0)


def parse_args():
    def pos_int(lo, hi):
        def conv(s):
            v = int(s)
            if not lo <= v <= hi:
                raise argparse.ArgumentTypeError(f"must be in [{lo}, {hi}]")
            return v
        conv.__name__ = "integer"  # argparse names it in "invalid <name> value"
        return conv

    def seconds(s):
        v = float(s)
        if not 0 < v < 86400:
            raise argparse.ArgumentTypeError("must be > 0")
        return v

    def cameras(s):
        ids = [c.strip() for c in s.split(",") if c.strip()]
        bad = [c for c in ids if not CAMERA_ID.match(c)]
        if not ids or bad or len(set(ids)) != len(ids):
            raise argparse.ArgumentTypeError(f"need unique ids matching {CAMERA_ID.pattern}")
        return ids

    def clip(s):
        cid, sep, path = s.partition("=")
        if not sep or not CAMERA_ID.match(cid) or not path:
            raise argparse.ArgumentTypeError(f"want ID=PATH with ID matching {CAMERA_ID.pattern}")
        if not path.lower().endswith(CLIP_EXTENSIONS):
            raise argparse.ArgumentTypeError(f"'{path}': want one of {', '.join(CLIP_EXTENSIONS)}")
        if not os.path.isfile(path) or not os.access(path, os.R_OK):
            raise argparse.ArgumentTypeError(f"'{path}' is not a readable file")
        return cid, os.path.abspath(path)

    p = argparse.ArgumentParser(prog="rtsp-sim.py", description=__doc__.split("\n")[0])
    p.add_argument("--port", type=pos_int(0, 65535), default=8554, help="0 = any free port")
    p.add_argument("--address", default="127.0.0.1")
    p.add_argument("--cameras", type=cameras, default=[], help="comma-separated ids")
    p.add_argument("--clip", type=clip, action="append", default=[], metavar="ID=PATH",
                   help="serve an H.264 .mkv/.mp4 file at /ID, from its start for every client (repeatable)")
    p.add_argument("--share-clips", type=pos_int(1, 1024), default=None, metavar="N",
                   help="serve clip mounts of the same file from N shared playbacks")
    p.add_argument("--width", type=pos_int(64, 3840), default=640)
    p.add_argument("--height", type=pos_int(48, 2160), default=360)
    p.add_argument("--fps", type=pos_int(1, 60), default=10)
    p.add_argument("--gop", type=pos_int(1, 600), default=None, help="frames per keyframe interval (default: --fps, 1 s)")
    p.add_argument("--cross-every", type=seconds, default=None, metavar="SECONDS",
                   help="each camera crosses by itself every SECONDS (staggered)")
    p.add_argument("--cross-duration", type=seconds, default=3.0, metavar="SECONDS")
    a = p.parse_args()
    if a.width % 2 or a.height % 2:
        p.error("--width and --height must be even (I420)")
    if not a.cameras and not a.clip:
        p.error("need --cameras and/or --clip")
    ids = a.cameras + [cid for cid, _ in a.clip]
    if len(set(ids)) != len(ids):
        p.error("camera and clip ids must be unique")
    return a


args = parse_args()

try:
    import gi
    gi.require_version("Gst", "1.0")
    gi.require_version("GstRtspServer", "1.0")
    gi.require_version("GstVideo", "1.0")
    gi.require_version("GstRtsp", "1.0")
    from gi.repository import GLib, Gst, GstRtsp, GstRtspServer, GstVideo
except (ImportError, ValueError) as e:
    die(f"GStreamer python bindings unavailable ({e}); apt-get install {APT_PACKAGES}", EXIT_DEPS)

Gst.init(None)
# PyGObject resolves enum members lazily; two streaming threads making the first lookup at
# once raised AttributeError (Gst.EventType.EOS, seen with shared clip playbacks). Resolved here.
_ = (Gst.EventType.EOS, Gst.EventType.SEGMENT, Gst.PadProbeReturn.OK, Gst.PadProbeReturn.REMOVE,
     Gst.PadProbeReturn.DROP, Gst.PadProbeType.BUFFER, Gst.State.PLAYING, Gst.Format.TIME, Gst.MapFlags.READ)
NEEDED = [("rtph264pay", "good")]
if args.cameras:
    NEEDED += [("videotestsrc", "base"), ("videoconvert", "base"), ("pngdec", "good"),
               ("imagefreeze", "good"), ("compositor", "bad"), ("x264enc", "ugly")]
if args.clip:
    NEEDED += [("filesrc", "core"), ("matroskademux", "good"), ("qtdemux", "good"), ("h264parse", "bad")]
for element, pkg in NEEDED:
    if Gst.ElementFactory.find(element) is None:
        die(f"GStreamer element '{element}' missing; apt-get install gstreamer1.0-plugins-{pkg}", EXIT_DEPS)
if args.cameras and shutil.which("ffmpeg") is None:
    die("ffmpeg not found (used once to draw backgrounds); apt-get install ffmpeg", EXIT_DEPS)

W, H, FPS = args.width, args.height, args.fps
GOP = args.gop or FPS
OBJ_W, OBJ_H = max(2, W // 10 // 2 * 2), max(2, int(H / 2.5) // 2 * 2)
OBJ_Y = (H - OBJ_H) * 3 // 4  # standing on the lower part of the frame
NOISE_ALPHA = 0.06  # snow blended at this alpha ~= +/-7 grey levels
tmpdir = tempfile.mkdtemp(prefix="rtsp-sim-")


def draw_backgrounds(ids):
    """One deterministic textured PNG per camera (phase differs by camera index)."""
    procs, paths = [], []
    for i, _ in enumerate(ids):
        path = os.path.join(tmpdir, f"bg{i}.png")
        lum = (f"clip(118+26*sin((X+{7 * i})/6)*sin(Y/5)+20*sin((X+1.7*Y)/{29 + 4 * i})"
               f"+36*(Y/H-0.5)+34*gt(mod(X+{31 * i},97),86),20,235)")
        vf = f"format=yuv444p,geq=lum='{lum}':cb='128+12*sin(X/{71 - 9 * i})':cr='128+10*cos(Y/53)'"
        procs.append(subprocess.Popen(
            ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi",
             "-i", f"color=c=gray:s={W}x{H}", "-vf", vf, "-frames:v", "1", path],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
        paths.append(path)
    for p in procs:
        _, err = p.communicate()
        if p.returncode != 0:
            die(f"ffmpeg failed drawing background: {err.decode(errors='replace').strip()}", EXIT_DEPS)
    return paths


def launch_line(bg_png):
    caps = f"format=I420,framerate={FPS}/1"
    # Still inputs are converted once and repeated by imagefreeze, so per frame only
    # the snow layer is generated and blended.
    return (
        f"( compositor name=mix background=black"
        f" sink_0::zorder=0 sink_1::zorder=1 sink_1::xpos={W} sink_1::ypos={OBJ_Y}"
        f" sink_2::zorder=2 sink_2::alpha={NOISE_ALPHA} sink_3::zorder=3 sink_3::alpha=0"
        f" ! video/x-raw,{caps},width={W},height={H}"
        f" ! x264enc name=enc tune=zerolatency speed-preset=ultrafast key-int-max={GOP} bitrate=1500"
        f" ! rtph264pay name=pay0 pt=96 config-interval=0"
        f" filesrc location=\"{bg_png}\" ! pngdec ! videoconvert ! video/x-raw,format=I420"
        f" ! imagefreeze is-live=true ! video/x-raw,{caps} ! mix.sink_0"
        f" videotestsrc pattern=solid-color foreground-color=0xff242424 num-buffers=1"
        f" ! video/x-raw,format=I420,width={OBJ_W},height={OBJ_H}"
        f" ! imagefreeze is-live=true ! video/x-raw,{caps} ! mix.sink_1"
        f" videotestsrc is-live=true pattern=snow ! video/x-raw,{caps},width={W},height={H} ! mix.sink_2"
        # The cover: a black layer over everything, invisible (alpha 0) until "cover".
        f" videotestsrc pattern=black num-buffers=1 ! video/x-raw,format=I420,width={W},height={H}"
        f" ! imagefreeze is-live=true ! video/x-raw,{caps} ! mix.sink_3 )"
    )


def clip_launch_line(path):
    demux = "matroskademux" if path.lower().endswith(".mkv") else "qtdemux"
    # The location is set on configure, so no path ever needs quoting in a launch line.
    # Not live: the RTSP server's sinks pace the file at its own timestamps (real time).
    return (f"( filesrc name=src ! {demux} ! h264parse"
            f" ! rtph264pay name=pay0 pt=96 config-interval=-1 )")


def on_clip_configure(_factory, media, cid, path):
    bin_ = media.get_element()
    bin_.get_by_name("src").set_property("location", path)
    pay = bin_.get_by_name("pay0")
    state = {"playing": False, "started": False}

    def on_new_state(_media, new_state):
        state["playing"] = new_state == Gst.State.PLAYING

    def on_buffer(pad, info):
        # Once playing, a buffer's running time says when the sinks send it:
        # wall(send) = wall(now) + (base_time + running_time - clock_now). The file's
        # first frame has pts 0, so clip second 0 is sent at wall(send) - pts.
        if not state["playing"]:
            return Gst.PadProbeReturn.OK
        top = pay
        while top.get_parent() is not None:
            top = top.get_parent()
        clock, base, buf = top.get_clock(), top.get_base_time(), info.get_buffer()
        ev = pad.get_sticky_event(Gst.EventType.SEGMENT, 0)
        if clock is None or not 0 < base < Gst.CLOCK_TIME_NONE or buf.pts == Gst.CLOCK_TIME_NONE or ev is None:
            return Gst.PadProbeReturn.OK  # base time not distributed yet: try the next buffer
        running = ev.parse_segment().to_running_time(Gst.Format.TIME, buf.pts)
        ahead_ns = base + running - clock.get_time()
        emit(f"clip-start {cid} {round(time.time() * 1000 + (ahead_ns - buf.pts) / 1e6)}")
        state["started"] = True
        return Gst.PadProbeReturn.REMOVE

    def on_eos(_pad, info):
        if info.get_event().type == Gst.EventType.EOS:
            emit(f"clip-end {cid}")
        return Gst.PadProbeReturn.OK

    media.connect("new-state", on_new_state)
    pay.get_static_pad("sink").add_probe(Gst.PadProbeType.BUFFER, on_buffer)
    pay.get_static_pad("src").add_probe(Gst.PadProbeType.EVENT_DOWNSTREAM, on_eos)
    emit(f"media-up {cid}")
    media.connect("unprepared", lambda _m: emit(f"media-down {cid}"))


class Camera:
    def __init__(self, cid):
        self.id = cid
        self.pad = None        # compositor pad of the object in the currently live media
        self.snow = None       # ...of the noise layer
        self.cover_pad = None  # ...of the black cover layer
        self.enc = None        # x264enc of the currently live media
        self.started = None    # monotonic start of the current crossing, None if idle
        self.duration = 0.0
        self.frozen = False
        self.covered = False
        self.until = {}        # fault ("freeze"/"cover") -> monotonic time it is undone, None = until told

    def xpos(self):
        if self.started is None:
            return W  # parked just right of the frame
        p = min(1.0, (time.monotonic() - self.started) / self.duration)
        return round(-OBJ_W + p * (W + OBJ_W))

    def apply(self):
        # A frozen picture does not change at all: the object stops and the noise goes.
        if self.pad is not None and not self.frozen:
            self.pad.set_property("xpos", self.xpos())
        if self.snow is not None:
            self.snow.set_property("alpha", 0.0 if self.frozen else NOISE_ALPHA)
        if self.cover_pad is not None:
            self.cover_pad.set_property("alpha", 1.0 if self.covered else 0.0)

    def fault(self, name, on, seconds=None):
        """name is "freeze" or "cover"; announces the new state once it is applied."""
        self.until[name] = time.monotonic() + seconds if on and seconds else None
        if name == "freeze":
            self.frozen = on
        else:
            self.covered = on
        self.apply()
        emit(f"{FAULT_WORDS[name][0 if on else 1]} {self.id}")

    def cross(self, seconds):
        # A new crossing while one is running restarts it from the left edge (a second
        # crossing-start, one crossing-end).
        self.started, self.duration = time.monotonic(), seconds
        emit(f"crossing-start {self.id}")
        self.apply()

    def tick(self):
        for name, until in list(self.until.items()):
            if until is not None and time.monotonic() >= until:
                self.fault(name, False)
        if self.started is not None and time.monotonic() - self.started >= self.duration:
            self.started = None
            emit(f"crossing-end {self.id}")
        self.apply()


FAULT_WORDS = {"freeze": ("frozen", "unfrozen"), "cover": ("covered", "uncovered")}
cams = {cid: Camera(cid) for cid in args.cameras}
loop = GLib.MainLoop()


def drop_until_scene(_pad, info, cam):
    # Right after the media starts, the live compositor can time out before its inputs
    # produced anything and emit plain black frames; a client would see black -> scene
    # "motion". Drop output until the textured background is there (its mean luma is
    # ~118, black + noise is ~23), so the encoder's first frame (an IDR) is the scene.
    # A covered camera's scene is black: nothing to wait for.
    if cam.covered:
        return Gst.PadProbeReturn.REMOVE
    buf = info.get_buffer()
    ok, m = buf.map(Gst.MapFlags.READ)
    if not ok:
        return Gst.PadProbeReturn.OK
    try:
        step = W * H // 97  # sample the Y plane, which comes first in I420
        luma = sum(m.data[i] for i in range(0, W * H, step)) / len(range(0, W * H, step))
    finally:
        buf.unmap(m)
    return Gst.PadProbeReturn.REMOVE if luma > 60 else Gst.PadProbeReturn.DROP


def on_media_configure(_factory, media, cam):
    # Shared media is created on first client and unprepared when the last one leaves,
    # so the pad is re-bound on every (re)creation.
    mix = media.get_element().get_by_name("mix")
    mix.get_static_pad("src").add_probe(Gst.PadProbeType.BUFFER, drop_until_scene, cam)
    pad = mix.get_static_pad("sink_1")
    cam.pad, cam.enc = pad, media.get_element().get_by_name("enc")
    cam.snow, cam.cover_pad = mix.get_static_pad("sink_2"), mix.get_static_pad("sink_3")
    cam.apply()
    emit(f"media-up {cam.id}")

    def on_unprepared(_media):
        if cam.pad is pad:
            cam.pad = cam.enc = cam.snow = cam.cover_pad = None
        emit(f"media-down {cam.id}")
    media.connect("unprepared", on_unprepared)


def on_play_request(_client, ctx):
    # Frames encoded while the media was preparing (including the first IDR) never
    # reach the client, and a client joining shared media lands mid-GOP: either way it
    # would decode garbage until the next periodic keyframe, so ask for one now.
    cam = cams.get(ctx.uri.abspath.strip("/").split("/")[0]) if ctx.uri else None
    if cam is not None and cam.enc is not None:
        cam.enc.get_static_pad("src").send_event(
            GstVideo.video_event_new_upstream_force_key_unit(Gst.CLOCK_TIME_NONE, True, 0))


SHARED_CLIP_MOUNTS = set()
SOL_SOCKET, SO_SNDBUF, SO_SNDBUFFORCE = 1, 7, 32
SEND_BUFFER_BYTES = 4 << 20


def widen_send_buffer(client):
    # A client that reads late (a loaded box) makes the server keep a backlog of RTP packets for
    # it, and gst-rtsp-server asserts that a packet entering the backlog is not older than its
    # head; shared media that restarts its running time breaks that and aborts the whole server
    # (rtsp-stream-transport.c: queue_duration >= 0). A send buffer of a few seconds of video
    # keeps the backlog empty. Root may exceed net.core.wmem_max (SO_SNDBUFFORCE).
    try:
        sock = client.get_connection().get_read_socket()
        try:
            sock.set_option(SOL_SOCKET, SO_SNDBUFFORCE, SEND_BUFFER_BYTES)
        except GLib.Error:
            sock.set_option(SOL_SOCKET, SO_SNDBUF, SEND_BUFFER_BYTES)
    except (GLib.Error, AttributeError, TypeError):
        pass  # the default buffer: fine for a box that keeps up


def on_pre_play_request(_client, ctx):
    # ffmpeg asks to play from 0 (Range: npt=0.000-), which seeks a file's media back to its
    # start: on a shared playback that restarts every client of it. A joining client takes
    # the playback where it is instead.
    if ctx.uri and ctx.uri.abspath.strip("/").split("/")[0] in SHARED_CLIP_MOUNTS:
        ctx.request.remove_header(GstRtsp.RTSPHeaderField.RANGE, -1)
    return GstRtsp.RTSPStatusCode.OK


USAGE = ("cross <cameraId> [seconds] | freeze <cameraId> [seconds] | unfreeze <cameraId>"
         " | cover <cameraId> [seconds] | uncover <cameraId> | quit")


def parse_seconds(text):
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 < seconds < 3600:
        emit(f"error bad seconds '{text}' (want 0 < s < 3600)")
        return None
    return seconds


def handle_command(line):
    parts = line.split()
    if not parts:
        return
    verb = parts[0]
    if verb == "quit" and len(parts) == 1:
        loop.quit()
        return
    takes_seconds = verb in ("cross", "freeze", "cover")
    if verb not in ("cross", "freeze", "unfreeze", "cover", "uncover") or not 2 <= len(parts) <= (3 if takes_seconds else 2):
        return emit(f"error bad command '{line.strip()[:200]}' (want: {USAGE})")
    cam = cams.get(parts[1])
    if cam is None:
        return emit(f"error unknown camera '{parts[1]}'")
    seconds = parse_seconds(parts[2]) if len(parts) == 3 else None
    if len(parts) == 3 and seconds is None:
        return
    if verb == "cross":
        cam.cross(seconds or args.cross_duration)
    else:
        cam.fault(verb.removeprefix("un"), not verb.startswith("un"), seconds)


stdin_buf = b""


def on_stdin(fd, _cond):
    global stdin_buf
    data = os.read(fd, 4096)
    if not data:
        # EOF on a pipe means the parent died; EOF on /dev/null or a file (e.g. started
        # in the background by a shell) just means there will be no commands.
        if stat.S_ISFIFO(os.fstat(fd).st_mode) or stat.S_ISSOCK(os.fstat(fd).st_mode):
            loop.quit()
        return False
    stdin_buf += data
    *lines, stdin_buf = stdin_buf.split(b"\n")
    if len(stdin_buf) > 4096:
        emit("error command line too long")
        stdin_buf = b""
    for raw in lines:
        handle_command(raw.decode("utf-8", errors="replace"))
    return True


class SharedClipFactory(GstRtspServer.RTSPMediaFactory):
    """One media for every mount it is added to: a shared media is found by a key that
    is, by default, the mount's URL, so each mount would still get its own pipeline."""

    def __init__(self, key):
        super().__init__()
        self.key = key

    def do_gen_key(self, _url):
        return self.key


def main():
    server = GstRtspServer.RTSPServer()
    server.set_address(args.address)
    server.set_service(str(args.port))
    def on_client(_server, client):
        widen_send_buffer(client)
        client.connect("play-request", on_play_request)
        client.connect("pre-play-request", on_pre_play_request)
    server.connect("client-connected", on_client)
    mounts = server.get_mount_points()
    for cid, bg in zip(args.cameras, draw_backgrounds(args.cameras)):
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(launch_line(bg))
        factory.set_shared(True)
        factory.connect("media-configure", on_media_configure, cams[cid])
        mounts.add_factory(f"/{cid}", factory)
    if args.clip:
        # Every clip client prepares its own media (demux + preroll) while its DESCRIBE waits;
        # with the default single client thread, many clients connecting at once queue up
        # behind each other for seconds.
        # (bench:ingest serves 190 clip clients at once: a cap of 64 left the rest waiting.)
        server.get_thread_pool().set_max_threads(min(512, 2 * len(args.clip)))
    shared = {}
    for i, (cid, path) in enumerate(args.clip):
        if args.share_clips:
            key = (path, i % args.share_clips)
            if key not in shared:
                factory = SharedClipFactory(f"{path}#{key[1]}")
                factory.set_launch(clip_launch_line(path))
                factory.set_shared(True)
                factory.connect("media-configure", on_clip_configure, cid, path)
                shared[key] = factory
            mounts.add_factory(f"/{cid}", shared[key])
            SHARED_CLIP_MOUNTS.add(cid)
            continue
        factory = GstRtspServer.RTSPMediaFactory()
        factory.set_launch(clip_launch_line(path))
        factory.set_shared(False)  # every client plays the file from its first frame
        factory.connect("media-configure", on_clip_configure, cid, path)
        mounts.add_factory(f"/{cid}", factory)
    try:
        source = server.create_source(None)
    except GLib.Error as e:
        die(f"cannot listen on {args.address}:{args.port}: {e.message}", EXIT_LISTEN)
    source.attach(None)

    # Tick at twice the frame rate so each frame sees a fresh position.
    GLib.timeout_add(max(10, 500 // FPS), lambda: [c.tick() for c in cams.values()] or True)
    if args.cross_every:
        n = len(args.cameras)
        for i, cam in enumerate(cams.values()):
            def every(cam=cam):
                if cam.started is None:  # don't interrupt a manual crossing
                    cam.cross(args.cross_duration)
                return True

            def first(every=every):
                every()
                GLib.timeout_add(int(args.cross_every * 1000), every)
                return False
            GLib.timeout_add(int(args.cross_every * 1000 * (i + 1) / n), first)
    GLib.io_add_watch(0, GLib.PRIORITY_DEFAULT, GLib.IO_IN | GLib.IO_HUP, on_stdin)
    for sig in (signal.SIGINT, signal.SIGTERM):
        GLib.unix_signal_add(GLib.PRIORITY_HIGH, sig, loop.quit)

    emit(f"ready {server.get_bound_port()}")
    loop.run()


try:
    main()
finally:
    shutil.rmtree(tmpdir, ignore_errors=True)
    sys.stdout.flush()
# Skip interpreter teardown: finalising GStreamer objects while streaming threads
# are still running can crash at exit.
os._exit(0)
