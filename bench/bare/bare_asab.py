"""The smallest ASAB app: ``GET /health/live`` answering ``{"status": "ok"}``.

The benchmark's baseline for the ASAB template. It serves with exactly the settings of a
generated service's ``python -m <package> serve``: ASAB's web container on uvloop, with
aiohttp's access log off, ``servertokens=prod`` and the same shutdown timeout, the objects
loaded at start frozen out of the garbage collector's reach (``gc.freeze``), listening on
``HOST``/``PORT``. Run it with ``python bench/bare/bare_asab.py`` in the service's virtualenv.

With ``BARE_DB`` set it is also the yardstick of the database scenarios, on the ``items`` table
of a migrated db=postgres service at ``DATABASE_URL``: ``GET /items/{id}``, ``GET /items`` (a
page of 20 and the total) and ``POST /items``. The ASAB service has no ORM: it uses asyncpg as
it comes, so ``BARE_DB=orm`` and ``BARE_DB=raw`` are the same app, an asyncpg pool of
``DB_POOL_SIZE`` used as asyncpg's documentation shows.
"""

import asyncio
import gc
import os
import warnings

import aiohttp.web
import asab
import asab.web
import asab.web.rest
import uvloop


class WebContainer(asab.web.WebContainer):
	def __init__(self, websvc, config_section_name="web", config=None):
		super().__init__(websvc, config_section_name, config)
		self.WebAppRunner = aiohttp.web.AppRunner(
			self.WebApp, handle_signals=False, access_log=None, shutdown_timeout=5.0
		)


class BareApplication(asab.Application):
	def __init__(self):
		host = os.environ.get("HOST", "127.0.0.1")
		port = os.environ.get("PORT", "8000")
		asab.Config.read_dict({"web": {"listen": f"{host} {port}", "servertokens": "prod"}})
		super().__init__(args=[])
		self.add_module(asab.web.Module)
		with warnings.catch_warnings():
			warnings.simplefilter("ignore", aiohttp.web.NotAppKeyWarning)
			container = WebContainer(self.get_service("asab.WebService"))
		container.WebApp.router.add_get("/health/live", self.live)
		self.Pool = None
		if os.environ.get("BARE_DB"):
			router = container.WebApp.router
			router.add_get("/items/{item_id}", self.get_item)
			router.add_get("/items", self.list_items)
			router.add_post("/items", self.create_item)

	async def live(self, request):
		return asab.web.rest.json_response(request, {"status": "ok"})

	async def pool(self):
		if self.Pool is None:
			# Imported here: the venv of a db=none service, which runs /health/live, has none.
			import asyncpg

			self.Pool = await asyncpg.create_pool(
				os.environ["DATABASE_URL"],
				min_size=0,
				max_size=int(os.environ.get("DB_POOL_SIZE", "10")),
			)
		return self.Pool

	async def get_item(self, request):
		query = f"SELECT {COLUMNS} FROM items WHERE id = $1"
		row = await (await self.pool()).fetchrow(query, int(request.match_info["item_id"]))
		if row is None:
			raise aiohttp.web.HTTPNotFound()
		return asab.web.rest.json_response(request, as_json(row))

	async def list_items(self, request):
		limit = int(request.query.get("limit", 20))
		offset = int(request.query.get("offset", 0))
		async with (await self.pool()).acquire() as connection:
			query = f"SELECT {COLUMNS} FROM items ORDER BY id LIMIT $1 OFFSET $2"
			rows = await connection.fetch(query, limit, offset)
			total = await connection.fetchval("SELECT count(*) FROM items")
		items = [as_json(row) for row in rows]
		page = {"items": items, "total": total, "limit": limit, "offset": offset}
		return asab.web.rest.json_response(request, page)

	async def create_item(self, request):
		body = await request.json()
		query = f"INSERT INTO items (name, description) VALUES ($1, $2) RETURNING {COLUMNS}"
		row = await (await self.pool()).fetchrow(query, body["name"], body.get("description"))
		return asab.web.rest.json_response(request, as_json(row), status=201)


COLUMNS = "id, name, description, created_at"


def as_json(row):
	return {**row, "created_at": row["created_at"].isoformat()}


if __name__ == "__main__":
	asyncio.set_event_loop(uvloop.new_event_loop())
	application = BareApplication()
	gc.freeze()
	application.run()
