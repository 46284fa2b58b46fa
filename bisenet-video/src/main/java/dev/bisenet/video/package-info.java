/**
 * Real-time segmentation of videos and frame streams: frame sources (video files through the
 * {@code ffmpeg} command, folders of images, YUV4MPEG2 or raw RGB on standard input), a
 * threaded {@link dev.bisenet.video.Pipeline} with bounded queues, and frame sinks (an
 * overlay video, a label video, folders of PNG images).
 *
 * <p>Video files go through the {@code ffmpeg}/{@code ffprobe} programs as child processes
 * exchanging raw frames over pipes, not through a JNI binding: one system package
 * ({@code apt-get install ffmpeg}) instead of hundreds of megabytes of natives per platform.
 * Folders of images and YUV4MPEG2 streams need no ffmpeg.
 *
 * <p>Sizes are height x width throughout; pixels are 8-bit RGB interleaved, row-major.
 */
package dev.bisenet.video;
