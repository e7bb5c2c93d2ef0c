"""Artwork at the size it is shown: the sizes made at import served by width and format, pages that ask for them
(`<picture>` with WebP and JPEG srcsets), and 304 for a browser that already has the bytes (If-None-Match)."""

from __future__ import annotations

import io

import pytest
from nicegui.testing import User
from PIL import Image

from app import db
from app.components import cards
from app.config import get_settings
from app.library import images
from app.services import catalog

from .helpers import seed_titles, signed_in

pytestmark = pytest.mark.every_database


def test_the_pages_ask_for_the_widths_the_import_makes():
    assert cards.IMAGE_WIDTHS == {
        'poster': images.POSTER_WIDTHS,
        'backdrop': images.BACKDROP_WIDTHS,
        'still': images.STILL_WIDTHS,
    }


def _title_with_sizes() -> int:
    """A film whose poster and backdrop were made in every size, as the importer makes them."""
    media = get_settings().media_dir
    folder = media / 'art'
    poster = Image.new('RGB', (800, 1200), (200, 40, 60))
    wide = Image.new('RGB', (1920, 1080), (20, 40, 160))
    posters = images.make_image_sizes(poster, folder, 'poster', images.POSTER_WIDTHS, aspect=images.POSTER_ASPECT)
    backdrops = images.make_image_sizes(wide, folder, 'backdrop', images.BACKDROP_WIDTHS, aspect=images.WIDE_ASPECT)
    with db.session(write=True) as session:
        row = catalog.add_title(
            session,
            title='Con tamaños',
            genre='Drama',
            year=2024,
            duration_s=60.0,
            poster_path=posters[-1].jpeg.relative_to(media).as_posix(),
            backdrop_path=backdrops[-1].jpeg.relative_to(media).as_posix(),
            video_sd_path='x/sd.mp4',
            video_hd_path='x/hd.mp4',
            sd_height=480,
            hd_height=720,
            images={'poster': images.size_records(posters, media), 'backdrop': images.size_records(backdrops, media)},
        )
        return row.id


def _picture(body: bytes) -> tuple[str, int]:
    with Image.open(io.BytesIO(body)) as picture:
        return picture.format, picture.width


@pytest.mark.parametrize(
    ('query', 'expected'),
    [
        ('?w=200&f=webp', ('WEBP', 200)),
        ('?w=200', ('JPEG', 200)),
        ('?w=201&f=webp', ('WEBP', 400)),  # the smallest at least as wide
        ('?w=400&f=webp', ('WEBP', 400)),
        ('?w=5000&f=webp', ('WEBP', 400)),  # wider than any: the largest
        ('', ('JPEG', 400)),  # no width: the file the title names
        ('?w=abc&f=webp', ('JPEG', 400)),
        ('?w=-1', ('JPEG', 400)),
        ('?w=99999999999', ('JPEG', 400)),
    ],
)
async def test_a_poster_is_served_at_the_width_and_in_the_format_asked_for(user: User, query, expected):
    title_id = _title_with_sizes()
    await signed_in(user)
    response = await user.http_client.get(f'/media/{title_id}/poster{query}')
    assert response.status_code == 200
    assert _picture(response.content) == expected
    assert response.headers['content-type'] == ('image/webp' if expected[0] == 'WEBP' else 'image/jpeg')


async def test_backdrops_come_in_their_sizes_and_a_title_without_sizes_gets_its_one_file(user: User):
    title_id = _title_with_sizes()
    (plain,) = seed_titles(1)
    await signed_in(user)
    backdrop = await user.http_client.get(f'/media/{title_id}/backdrop?w=640&f=webp')
    assert _picture(backdrop.content) == ('WEBP', 640)
    fallback = await user.http_client.get(f'/media/{plain}/poster?w=200&f=webp')
    assert (
        fallback.status_code == 200
        and fallback.content == (get_settings().media_dir / 'seed/t0/poster.jpg').read_bytes()
    )


async def test_if_none_match_with_the_etag_gets_304_without_the_bytes(user: User):
    title_id = _title_with_sizes()
    await signed_in(user)
    url = f'/media/{title_id}/poster?w=200&f=webp'
    first = await user.http_client.get(url)
    etag = first.headers['etag']
    assert first.status_code == 200 and etag
    for header in (etag, f'W/{etag}', f'"other", {etag}', '*'):
        again = await user.http_client.get(url, headers={'If-None-Match': header})
        assert (again.status_code, again.content, again.headers['etag']) == (304, b'', etag), header
        assert again.headers['cache-control'] == first.headers['cache-control']
    changed = await user.http_client.get(url, headers={'If-None-Match': '"not-this-one"'})
    assert changed.status_code == 200 and changed.content == first.content
    other_size = await user.http_client.get(f'/media/{title_id}/poster?w=400&f=webp', headers={'If-None-Match': etag})
    assert other_size.status_code == 200  # another file, another tag


def test_a_card_offers_both_sizes_in_webp_a_jpeg_fallback_and_loads_lazily():
    html = cards.picture_html(7, 'poster', css='bt-poster', alt='La "Ola"')
    assert html.startswith('<picture class="bt-picture"><source type="image/webp"')
    # A poster is shown at a fixed width: its sizes are for 1x and 2x screens, no `sizes` needed.
    assert 'srcset="/media/7/poster?w=200&amp;f=webp, /media/7/poster?w=400&amp;f=webp 2x">' in html
    assert 'src="/media/7/poster?w=200"' in html and 'sizes=' not in html
    assert 'loading="lazy"' in html and 'alt="La &quot;Ola&quot;"' in html
    hero = cards.picture_html(7, 'backdrop', css='bt-hero-img', lazy=False)
    assert 'loading=' not in hero and '640w, ' in hero and '1280w' in hero and 'sizes="100vw"' in hero
    assert 'src="/media/7/backdrop?w=1280"' in hero
    details = cards.picture_html(7, 'backdrop', css='bt-details-img', shown='details', lazy=False)
    assert 'sizes="(max-width: 900px) 96vw, 860px"' in details
